package kmsapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// encode writes v (a kms output struct) as the JSON 1.1 protocol does: the
// members its json tags name, in declaration order, honouring omitempty
// and omitzero; timestamps as JSON numbers (epoch seconds with up to
// millisecond fractions), blobs ([]byte) as standard base64, absent lists
// as [].
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := encodeValue(&b, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

var (
	timeType  = reflect.TypeFor[time.Time]()
	bytesType = reflect.TypeFor[[]byte]()
)

func encodeValue(b *bytes.Buffer, v reflect.Value) error {
	switch {
	case !v.IsValid():
		b.WriteString("null")
		return nil
	case v.Type() == timeType:
		b.WriteString(epochSeconds(v.Interface().(time.Time)))
		return nil
	case v.Type() == bytesType:
		b.WriteString(quoteJSON(base64.StdEncoding.EncodeToString(v.Bytes())))
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			b.WriteString("null")
			return nil
		}
		return encodeValue(b, v.Elem())
	case reflect.Struct:
		return encodeStruct(b, v)
	case reflect.Slice, reflect.Array:
		b.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := encodeValue(b, v.Index(i)); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case reflect.Map:
		return encodeMap(b, v)
	case reflect.String:
		b.WriteString(quoteJSON(v.String()))
	case reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	default:
		return fmt.Errorf("kmsapi: cannot encode a %s", v.Type())
	}
	return nil
}

func encodeStruct(b *bytes.Buffer, v reflect.Value) error {
	b.WriteByte('{')
	first := true
	t := v.Type()
	for i := range t.NumField() {
		field := t.Field(i)
		name, opts, _ := strings.Cut(field.Tag.Get("json"), ",")
		if !field.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = field.Name
		}
		fv := v.Field(i)
		if omitted(fv, opts) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteString(quoteJSON(name))
		b.WriteByte(':')
		if err := encodeValue(b, fv); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// omitted applies a member's omitempty / omitzero option.
func omitted(v reflect.Value, opts string) bool {
	options := strings.Split(opts, ",")
	if slices.Contains(options, "omitzero") && v.IsZero() {
		return true
	}
	if !slices.Contains(options, "omitempty") {
		return false
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Map, reflect.String:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Struct:
		return v.IsZero()
	}
	return v.IsZero()
}

func encodeMap(b *bytes.Buffer, v reflect.Value) error {
	keys := v.MapKeys()
	slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quoteJSON(k.String()))
		b.WriteByte(':')
		if err := encodeValue(b, v.MapIndex(k)); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// epochSeconds is a timestamp as AWS's JSON protocols send it: seconds
// since the epoch, with a fraction down to milliseconds when there is one.
func epochSeconds(t time.Time) string {
	secs, ms := t.Unix(), t.Nanosecond()/int(time.Millisecond)
	if ms == 0 {
		return strconv.FormatInt(secs, 10)
	}
	return strconv.FormatInt(secs, 10) + "." + strings.TrimRight(fmt.Sprintf("%03d", ms), "0")
}

// quoteJSON is s as a JSON string.
func quoteJSON(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
