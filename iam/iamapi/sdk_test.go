package iamapi

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
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
