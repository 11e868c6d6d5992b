package iamapi

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// stsClient is aws-sdk-go-v2's STS client against s, without retries.
func (s *server) stsClient(c creds) *sts.Client {
	return sts.New(sts.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(c.id, c.secret, ""),
		RetryMaxAttempts: 1,
	})
}

// TestSDKGetCallerIdentity: aws-sdk-go-v2's STS client reads the identity
// of the root user and of a user, and the error of a deleted key.
func TestSDKGetCallerIdentity(t *testing.T) {
	s := startServer(t)
	alice := s.newUser(t, "alice")
	u, err := s.dir.GetUser("alice")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tt := range []struct {
		name        string
		c           creds
		arn, userID string
	}{
		{"root", root, rootUser.ARN, testAccount},
		{"user", alice, u.ARN, u.ID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := s.stsClient(tt.c).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Arn) != tt.arn || aws.ToString(out.UserId) != tt.userID || aws.ToString(out.Account) != testAccount {
				t.Fatalf("GetCallerIdentity = %s %s %s", aws.ToString(out.Arn), aws.ToString(out.UserId), aws.ToString(out.Account))
			}
		})
	}
	mustOK(t, "DeleteAccessKey", s.iam(t, root, form("DeleteAccessKey", "UserName", "alice", "AccessKeyId", alice.id)))
	_, err = s.stsClient(alice).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidClientTokenId" {
		t.Fatalf("with a deleted key: %v", err)
	}
}

// iamClient is aws-sdk-go-v2's IAM client against s. Transport errors are
// retried (a connection closed under the -race suite); API errors are
// checked by code.
func (s *server) iamClient(c creds) *iamsdk.Client {
	return iamsdk.New(iamsdk.Options{
		Region:           testRegion,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(c.id, c.secret, ""),
		RetryMaxAttempts: 3,
	})
}

// TestSDKUserLifecycle drives every IAM operation through aws-sdk-go-v2's
// IAM client: its XML parsing, its paginator and its typed errors.
func TestSDKUserLifecycle(t *testing.T) {
	s := startServer(t)
	client := s.iamClient(root)
	ctx := context.Background()
	for _, name := range []string{"ann", "ben", "cat"} {
		out, err := client.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String(name), Path: aws.String("/team/")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.User.Arn) != "arn:aws:iam::"+testAccount+":user/team/"+name || !strings.HasPrefix(aws.ToString(out.User.UserId), "AIDA") {
			t.Fatalf("CreateUser %s: %+v", name, out.User)
		}
	}
	var names []string
	pages := iamsdk.NewListUsersPaginator(client, &iamsdk.ListUsersInput{MaxItems: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	if strings.Join(names, ",") != "ann,ben,cat" {
		t.Fatalf("ListUsers through the paginator: %v", names)
	}

	key, err := client.CreateAccessKey(ctx, &iamsdk.CreateAccessKeyInput{UserName: aws.String("ann")})
	if err != nil || len(aws.ToString(key.AccessKey.SecretAccessKey)) != 40 || key.AccessKey.Status != iamtypes.StatusTypeActive {
		t.Fatalf("CreateAccessKey: %+v, %v", key, err)
	}
	keyID := key.AccessKey.AccessKeyId
	if _, err := client.UpdateAccessKey(ctx, &iamsdk.UpdateAccessKeyInput{UserName: aws.String("ann"), AccessKeyId: keyID, Status: iamtypes.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	keys, err := client.ListAccessKeys(ctx, &iamsdk.ListAccessKeysInput{UserName: aws.String("ann")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != iamtypes.StatusTypeInactive {
		t.Fatalf("ListAccessKeys: %+v, %v", keys, err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	if _, err := client.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("ann"), PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	got, err := client.GetUserPolicy(ctx, &iamsdk.GetUserPolicyInput{UserName: aws.String("ann"), PolicyName: aws.String("read")})
	if err != nil {
		t.Fatal(err)
	}
	if decoded, err := url.QueryUnescape(aws.ToString(got.PolicyDocument)); err != nil || decoded != doc {
		t.Fatalf("GetUserPolicy document %q (%v), want %q URL-encoded", aws.ToString(got.PolicyDocument), err, doc)
	}

	var exists *iamtypes.EntityAlreadyExistsException
	if _, err := client.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("ANN")}); !errors.As(err, &exists) {
		t.Fatalf("a name taken in another case: %v", err)
	}
	var conflict *iamtypes.DeleteConflictException
	if _, err := client.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("ann")}); !errors.As(err, &conflict) {
		t.Fatalf("DeleteUser with a key and a policy: %v", err)
	}
	var malformed *iamtypes.MalformedPolicyDocumentException
	if _, err := client.PutUserPolicy(ctx, &iamsdk.PutUserPolicyInput{UserName: aws.String("ann"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":[]}`)}); !errors.As(err, &malformed) {
		t.Fatalf("a malformed policy: %v", err)
	}
	if _, err := client.DeleteUserPolicy(ctx, &iamsdk.DeleteUserPolicyInput{UserName: aws.String("ann"), PolicyName: aws.String("read")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteAccessKey(ctx, &iamsdk.DeleteAccessKeyInput{UserName: aws.String("ann"), AccessKeyId: keyID}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("ann")}); err != nil {
		t.Fatal(err)
	}
	var missing *iamtypes.NoSuchEntityException
	if _, err := client.GetUser(ctx, &iamsdk.GetUserInput{UserName: aws.String("ann")}); !errors.As(err, &missing) {
		t.Fatalf("GetUser of a deleted user: %v", err)
	}
}
