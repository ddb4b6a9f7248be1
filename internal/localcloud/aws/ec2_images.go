package aws

import (
	"context"
	"regexp"
	"slices"
)

// An image is a machine image of the local cloud's fixed catalog. The
// local cloud runs no machines, so images only name what an instance
// would boot.
type image struct {
	ID           string
	Name         string
	Description  string
	OwnerID      string
	OwnerAlias   string
	Architecture string
	RootDevice   string
	Created      string
	Location     string
}

// images is the catalog: the Amazon Linux 2 image moto also serves (the
// examples use it), Amazon Linux 2023 and Ubuntu 22.04 for each
// architecture, and Debian 12 (the platform's debian-12 image family). The
// same IDs serve in every region.
var images = []image{
	{
		ID: "ami-04681a1dbd79675a5", Name: "amzn2-ami-hvm-2.0.20180810-x86_64-gp2", Description: "Amazon Linux 2 AMI 2.0.20180810 x86_64 HVM gp2",
		OwnerID: "137112412989", OwnerAlias: "amazon", Architecture: "x86_64", RootDevice: "/dev/xvda", Created: "2018-08-11T02:30:00.000Z",
		Location: "amazon/amzn2-ami-hvm-2.0.20180810-x86_64-gp2",
	},
	{
		ID: "ami-0230bd60aa48260c6", Name: "al2023-ami-2023.2.20231113.0-kernel-6.1-x86_64", Description: "Amazon Linux 2023 AMI 2023.2.20231113.0 x86_64 HVM kernel-6.1",
		OwnerID: "137112412989", OwnerAlias: "amazon", Architecture: "x86_64", RootDevice: "/dev/xvda", Created: "2023-11-13T20:00:00.000Z",
		Location: "amazon/al2023-ami-2023.2.20231113.0-kernel-6.1-x86_64",
	},
	{
		ID: "ami-0b9ce70cf1bc24fc3", Name: "al2023-ami-2023.2.20231113.0-kernel-6.1-arm64", Description: "Amazon Linux 2023 AMI 2023.2.20231113.0 arm64 HVM kernel-6.1",
		OwnerID: "137112412989", OwnerAlias: "amazon", Architecture: "arm64", RootDevice: "/dev/xvda", Created: "2023-11-13T20:00:00.000Z",
		Location: "amazon/al2023-ami-2023.2.20231113.0-kernel-6.1-arm64",
	},
	{
		ID: "ami-0c7217cdde317cfec", Name: "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20231207", Description: "Canonical, Ubuntu, 22.04 LTS, amd64 jammy image build on 2023-12-07",
		OwnerID: "099720109477", Architecture: "x86_64", RootDevice: "/dev/sda1", Created: "2023-12-07T23:00:00.000Z",
		Location: "amazon/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20231207",
	},
	{
		ID: "ami-05d47d29a4c2d19e1", Name: "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-20231207", Description: "Canonical, Ubuntu, 22.04 LTS, arm64 jammy image build on 2023-12-07",
		OwnerID: "099720109477", Architecture: "arm64", RootDevice: "/dev/sda1", Created: "2023-12-07T23:00:00.000Z",
		Location: "amazon/ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-20231207",
	},
	{
		ID: "ami-058bd2d568351da34", Name: "debian-12-amd64-20231013-1532", Description: "Debian 12 (20231013-1532)",
		OwnerID: "136693071363", Architecture: "x86_64", RootDevice: "/dev/xvda", Created: "2023-10-13T15:32:00.000Z",
		Location: "136693071363/debian-12-amd64-20231013-1532",
	},
}

// amiID is the shape of image IDs.
var amiID = regexp.MustCompile(`^ami-[0-9a-f]{8}([0-9a-f]{9})?$`)

// findImage returns the catalog's image with id.
func findImage(id string) (image, error) {
	if !amiID.MatchString(id) {
		return image{}, clientError("InvalidAMIID.Malformed", "Invalid id: \"%s\" (expecting \"ami-...\")", id)
	}
	for _, im := range images {
		if im.ID == id {
			return im, nil
		}
	}
	return image{}, clientError("InvalidAMIID.NotFound", "The image id '[%s]' does not exist", id)
}

type imageXML struct {
	ImageID            string          `xml:"imageId"`
	ImageLocation      string          `xml:"imageLocation"`
	ImageState         string          `xml:"imageState"`
	ImageOwnerID       string          `xml:"imageOwnerId"`
	CreationDate       string          `xml:"creationDate"`
	IsPublic           bool            `xml:"isPublic"`
	Architecture       string          `xml:"architecture"`
	ImageType          string          `xml:"imageType"`
	ImageOwnerAlias    string          `xml:"imageOwnerAlias,omitempty"`
	Name               string          `xml:"name"`
	Description        string          `xml:"description"`
	RootDeviceType     string          `xml:"rootDeviceType"`
	RootDeviceName     string          `xml:"rootDeviceName"`
	BlockDeviceMapping []imageBDMXML   `xml:"blockDeviceMapping>item"`
	VirtualizationType string          `xml:"virtualizationType"`
	Hypervisor         string          `xml:"hypervisor"`
	EnaSupport         bool            `xml:"enaSupport"`
	PlatformDetails    string          `xml:"platformDetails"`
	UsageOperation     string          `xml:"usageOperation"`
	BootMode           string          `xml:"bootMode,omitempty"`
	SriovNetSupport    string          `xml:"sriovNetSupport"`
	TagSet             tagSet          `xml:"tagSet"`
	StateReason        *stateReasonXML `xml:"stateReason,omitempty"`
}

type imageBDMXML struct {
	DeviceName string `xml:"deviceName"`
	Ebs        struct {
		SnapshotID          string `xml:"snapshotId"`
		VolumeSize          int32  `xml:"volumeSize"`
		DeleteOnTermination bool   `xml:"deleteOnTermination"`
		VolumeType          string `xml:"volumeType"`
		Encrypted           bool   `xml:"encrypted"`
	} `xml:"ebs"`
}

type describeImagesResponse struct {
	ec2Meta

	ImagesSet []imageXML `xml:"imagesSet>item"`
	NextToken string     `xml:"nextToken,omitempty"`
}

func imageXMLOf(im image) imageXML {
	bdm := imageBDMXML{DeviceName: im.RootDevice}
	bdm.Ebs.SnapshotID = "snap-" + im.ID[4:]
	bdm.Ebs.VolumeSize, bdm.Ebs.DeleteOnTermination, bdm.Ebs.VolumeType = 8, true, "gp2"
	return imageXML{
		ImageID: im.ID, ImageLocation: im.Location, ImageState: "available", ImageOwnerID: im.OwnerID, CreationDate: im.Created,
		IsPublic: true, Architecture: im.Architecture, ImageType: "machine", ImageOwnerAlias: im.OwnerAlias, Name: im.Name,
		Description: im.Description, RootDeviceType: "ebs", RootDeviceName: im.RootDevice, BlockDeviceMapping: []imageBDMXML{bdm},
		VirtualizationType: "hvm", Hypervisor: "xen", EnaSupport: true, PlatformDetails: "Linux/UNIX", UsageOperation: "RunInstances",
		SriovNetSupport: "simple",
	}
}

// describeImages describes images of the catalog, by ID, owner or
// filters.
func (s *Service) describeImages(_ context.Context, c call) (ec2Body, error) {
	ids := c.Params.strings("ImageId", "")
	owners := c.Params.strings("Owner", "")
	filters := readFilters(c.Params)
	for _, id := range ids {
		if _, err := findImage(id); err != nil {
			return nil, err
		}
	}
	var out []image
	for _, im := range images {
		if len(ids) > 0 && !slices.Contains(ids, im.ID) {
			continue
		}
		if len(owners) > 0 && !slices.Contains(owners, im.OwnerID) && (im.OwnerAlias == "" || !slices.Contains(owners, im.OwnerAlias)) {
			continue
		}
		ok, err := matches(filters, nil, fields(map[string][]string{
			"image-id": {im.ID}, "name": {im.Name}, "description": {im.Description}, "owner-id": {im.OwnerID},
			"owner-alias": {im.OwnerAlias}, "architecture": {im.Architecture}, "state": {"available"},
			"root-device-type": {"ebs"}, "root-device-name": {im.RootDevice}, "virtualization-type": {"hvm"},
			"image-type": {"machine"}, "is-public": {"true"}, "platform-details": {"Linux/UNIX"}, "hypervisor": {"xen"},
		}))
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, im)
		}
	}
	page, next, err := ec2Page(c.Params, out, func(im image) string { return im.ID }, len(ids) > 0)
	if err != nil {
		return nil, err
	}
	resp := &describeImagesResponse{}
	resp.NextToken = next
	for _, im := range page {
		resp.ImagesSet = append(resp.ImagesSet, imageXMLOf(im))
	}
	return resp, nil
}
