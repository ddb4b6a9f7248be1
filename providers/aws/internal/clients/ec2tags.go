package clients

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// An EC2TagAPI sets and removes tags of EC2 resources.
type EC2TagAPI interface {
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, o ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(ctx context.Context, in *ec2.DeleteTagsInput, o ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
}

// UpdateEC2Tags makes the tags of the EC2 resource id desired, with at most
// one call to set tags and one to remove them, and none when they match.
func UpdateEC2Tags(ctx context.Context, api EC2TagAPI, id string, desired, observed map[string]string) error {
	set, remove := DiffTags(desired, observed)
	if len(set) > 0 {
		if _, err := api.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: EC2Tags(set)}); err != nil {
			return Wrap(err, "cannot tag "+id)
		}
	}
	if len(remove) > 0 {
		del := make([]ec2types.Tag, len(remove))
		for i, k := range remove {
			del[i] = ec2types.Tag{Key: aws.String(k)}
		}
		if _, err := api.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: del}); err != nil {
			return Wrap(err, "cannot untag "+id)
		}
	}
	return nil
}

// EC2Tags turns a tag map into EC2 tags.
func EC2Tags(m map[string]string) []ec2types.Tag {
	out := make([]ec2types.Tag, 0, len(m))
	for k, v := range m {
		out = append(out, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return out
}

// EC2TagMap turns EC2 tags into a map.
func EC2TagMap(t []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(t))
	for _, tag := range t {
		m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return m
}
