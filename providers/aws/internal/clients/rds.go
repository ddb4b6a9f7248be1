package clients

import (
	"context"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// An RDSTagAPI sets and removes tags of RDS resources.
type RDSTagAPI interface {
	AddTagsToResource(ctx context.Context, in *rds.AddTagsToResourceInput, o ...func(*rds.Options)) (*rds.AddTagsToResourceOutput, error)
	RemoveTagsFromResource(ctx context.Context, in *rds.RemoveTagsFromResourceInput, o ...func(*rds.Options)) (*rds.RemoveTagsFromResourceOutput, error)
}

// UpdateRDSTags makes the tags of the RDS resource arn desired, with at most
// one call to set tags and one to remove them, and none when they match.
func UpdateRDSTags(ctx context.Context, api RDSTagAPI, arn string, desired, observed map[string]string) error {
	set, remove := DiffTags(desired, observed)
	if len(set) > 0 {
		if _, err := api.AddTagsToResource(ctx, &rds.AddTagsToResourceInput{ResourceName: aws.String(arn), Tags: RDSTags(set)}); err != nil {
			return Wrap(err, "cannot tag "+arn)
		}
	}
	if len(remove) > 0 {
		if _, err := api.RemoveTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{ResourceName: aws.String(arn), TagKeys: remove}); err != nil {
			return Wrap(err, "cannot untag "+arn)
		}
	}
	return nil
}

// RDSTags turns a tag map into RDS tags, sorted by key.
func RDSTags(m map[string]string) []rdstypes.Tag {
	out := make([]rdstypes.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, rdstypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// RDSTagMap turns RDS tags into a map.
func RDSTagMap(t []rdstypes.Tag) map[string]string {
	m := make(map[string]string, len(t))
	for _, tag := range t {
		m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return m
}

// SameIDs reports whether desired and observed hold the same IDs, in any
// order. AWS returns lists such as subnet or security group IDs in an order
// of its own.
func SameIDs(desired, observed []string) bool {
	a, b := slices.Clone(desired), slices.Clone(observed)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
