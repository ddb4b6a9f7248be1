package gcp

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// A region is one Google Cloud region the local cloud knows: its zones and
// the range its subnetwork gets in an auto mode VPC network.
type region struct {
	zones     []string // zone suffixes: a, b, c, f
	autoRange string
}

// regions are the regions the local cloud accepts, with the zones and auto
// mode ranges Google Cloud gives them.
var regions = map[string]region{
	"us-central1":             {zones: []string{"a", "b", "c", "f"}, autoRange: "10.128.0.0/20"},
	"europe-west1":            {zones: []string{"b", "c", "d"}, autoRange: "10.132.0.0/20"},
	"us-west1":                {zones: []string{"a", "b", "c"}, autoRange: "10.138.0.0/20"},
	"asia-east1":              {zones: []string{"a", "b", "c"}, autoRange: "10.140.0.0/20"},
	"us-east1":                {zones: []string{"b", "c", "d"}, autoRange: "10.142.0.0/20"},
	"asia-northeast1":         {zones: []string{"a", "b", "c"}, autoRange: "10.146.0.0/20"},
	"asia-southeast1":         {zones: []string{"a", "b", "c"}, autoRange: "10.148.0.0/20"},
	"us-east4":                {zones: []string{"a", "b", "c"}, autoRange: "10.150.0.0/20"},
	"australia-southeast1":    {zones: []string{"a", "b", "c"}, autoRange: "10.152.0.0/20"},
	"europe-west2":            {zones: []string{"a", "b", "c"}, autoRange: "10.154.0.0/20"},
	"europe-west3":            {zones: []string{"a", "b", "c"}, autoRange: "10.156.0.0/20"},
	"southamerica-east1":      {zones: []string{"a", "b", "c"}, autoRange: "10.158.0.0/20"},
	"asia-south1":             {zones: []string{"a", "b", "c"}, autoRange: "10.160.0.0/20"},
	"northamerica-northeast1": {zones: []string{"a", "b", "c"}, autoRange: "10.162.0.0/20"},
	"europe-west4":            {zones: []string{"a", "b", "c"}, autoRange: "10.164.0.0/20"},
	"europe-north1":           {zones: []string{"a", "b", "c"}, autoRange: "10.166.0.0/20"},
	"us-west2":                {zones: []string{"a", "b", "c"}, autoRange: "10.168.0.0/20"},
}

// regionNames returns the known regions, sorted.
func regionNames() []string {
	out := make([]string, 0, len(regions))
	for r := range regions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// zoneRegion returns the region of a zone such as us-central1-a, and
// whether the zone exists.
func zoneRegion(zone string) (string, bool) {
	i := strings.LastIndex(zone, "-")
	if i <= 0 {
		return "", false
	}
	r, ok := regions[zone[:i]]
	if !ok {
		return "", false
	}
	if !slices.Contains(r.zones, zone[i+1:]) {
		return "", false
	}
	return zone[:i], true
}

// firstZone returns a region's first zone, where zonal resources go when
// the request does not say.
func firstZone(name string) string {
	return name + "-" + regions[name].zones[0]
}

// machineFamilies are the predefined Compute Engine machine types: family
// to the shapes it comes in.
var machineFamilies = map[string][]string{
	"e2": {"micro", "small", "medium", "standard-2", "standard-4", "standard-8", "standard-16", "standard-32",
		"highmem-2", "highmem-4", "highmem-8", "highmem-16", "highcpu-2", "highcpu-4", "highcpu-8", "highcpu-16", "highcpu-32"},
	"n1":  {"standard-1", "standard-2", "standard-4", "standard-8", "standard-16", "standard-32", "standard-64", "standard-96", "highmem-2", "highmem-4", "highmem-8", "highcpu-2", "highcpu-4", "highcpu-8"},
	"n2":  {"standard-2", "standard-4", "standard-8", "standard-16", "standard-32", "standard-48", "standard-64", "standard-80", "standard-96", "standard-128", "highmem-2", "highmem-4", "highmem-8", "highcpu-2", "highcpu-4", "highcpu-8"},
	"n2d": {"standard-2", "standard-4", "standard-8", "standard-16", "standard-32", "standard-48", "standard-64", "highmem-2", "highmem-4", "highcpu-2", "highcpu-4"},
	"t2d": {"standard-1", "standard-2", "standard-4", "standard-8", "standard-16", "standard-32", "standard-48", "standard-60"},
	"c3":  {"standard-4", "standard-8", "standard-22", "standard-44", "standard-88", "standard-176", "highcpu-4", "highcpu-8", "highmem-4", "highmem-8"},
	"n4":  {"standard-2", "standard-4", "standard-8", "standard-16", "standard-32", "standard-48", "standard-64", "standard-80", "highmem-2", "highmem-4", "highcpu-2", "highcpu-4"},
	"f1":  {"micro"},
	"g1":  {"small"},
}

var customMachine = regexp.MustCompile(`^(?:(e2|n1|n2|n2d|n4)-)?custom-(\d+)-(\d+)$`)

// validMachineType reports whether name is a machine type Compute Engine
// offers: a predefined one or a custom shape (vCPUs, memory in MB).
func validMachineType(name string) bool {
	if m := customMachine.FindStringSubmatch(name); m != nil {
		cpus, err1 := strconv.Atoi(m[2])
		mem, err2 := strconv.Atoi(m[3])
		return err1 == nil && err2 == nil && cpus >= 1 && cpus <= 96 && mem%256 == 0 && mem >= 1024 && mem <= cpus*8*1024
	}
	fam, shape, ok := strings.Cut(name, "-")
	if !ok {
		return false
	}
	return slices.Contains(machineFamilies[fam], shape)
}

// An image family in the public image projects the local cloud knows.
type imageFamily struct {
	project string
	family  string
	// image is the family's current image.
	image string
	// sizeGb is the image's size, the least a boot disk made from it takes.
	sizeGb int64
}

// images are the public images instances can boot from.
var images = []imageFamily{
	{project: "debian-cloud", family: "debian-12", image: "debian-12-bookworm-v20250610", sizeGb: 10},
	{project: "debian-cloud", family: "debian-11", image: "debian-11-bullseye-v20250610", sizeGb: 10},
	{project: "ubuntu-os-cloud", family: "ubuntu-2204-lts", image: "ubuntu-2204-jammy-v20250610", sizeGb: 10},
	{project: "ubuntu-os-cloud", family: "ubuntu-2404-lts-amd64", image: "ubuntu-2404-noble-amd64-v20250610", sizeGb: 10},
	{project: "cos-cloud", family: "cos-stable", image: "cos-stable-117-18613-263-4", sizeGb: 10},
	{project: "rocky-linux-cloud", family: "rocky-linux-9", image: "rocky-linux-9-v20250610", sizeGb: 20},
}

var imageRef = regexp.MustCompile(`^(?:https://(?:www|compute)\.googleapis\.com/compute/v1/)?(?:projects/([a-z0-9-]+)/)?global/images/(family/)?([a-z0-9-]+)$`)

// resolveImage maps a sourceImage reference (projects/P/global/images/NAME,
// projects/P/global/images/family/FAMILY, with or without the API URL) to a
// known image. It returns whether the reference is well formed, and the image
// when it exists.
func resolveImage(ref, project string) (wellFormed bool, img imageFamily, found bool) {
	m := imageRef.FindStringSubmatch(ref)
	if m == nil {
		return false, imageFamily{}, false
	}
	proj := m[1]
	if proj == "" {
		proj = project
	}
	for _, i := range images {
		if i.project != proj {
			continue
		}
		if m[2] != "" && i.family == m[3] {
			return true, i, true
		}
		if m[2] == "" && i.image == m[3] {
			return true, i, true
		}
	}
	return true, imageFamily{}, false
}

// Cloud SQL tiers PostgreSQL instances take: shared core and custom shapes
// for the Enterprise edition, performance optimized ones for Enterprise Plus.
var (
	sqlSharedTier = regexp.MustCompile(`^db-(f1-micro|g1-small)$`)
	sqlCustomTier = regexp.MustCompile(`^db-custom-(\d+)-(\d+)$`)
	sqlPerfTier   = regexp.MustCompile(`^db-perf-optimized-N-(\d+)$`)
)

// checkTier says what is wrong with a Cloud SQL tier for an edition.
func checkTier(tier, edition string) string {
	wrongEdition := "Invalid Tier (" + tier + ") for (ENTERPRISE_PLUS) Edition. Use a db-perf-optimized-N-* tier."
	switch {
	case sqlSharedTier.MatchString(tier):
		if edition == "ENTERPRISE_PLUS" {
			return wrongEdition
		}
		return ""
	case sqlCustomTier.MatchString(tier):
		if edition == "ENTERPRISE_PLUS" {
			return wrongEdition
		}
		return checkCustomTier(tier)
	case sqlPerfTier.MatchString(tier):
		if edition != "ENTERPRISE_PLUS" {
			return "Invalid Tier (" + tier + ") for (ENTERPRISE) Edition. Use a db-custom-CPUS-MEMORY tier or set the edition to ENTERPRISE_PLUS."
		}
		if !slices.Contains([]string{"2", "4", "8", "16", "32", "48", "64", "80", "96", "128"}, sqlPerfTier.FindStringSubmatch(tier)[1]) {
			return "Invalid Tier (" + tier + ") for (ENTERPRISE_PLUS) Edition."
		}
		return ""
	}
	return "Invalid Tier (" + tier + ") for (SECOND_GEN) PostgreSQL instances. Use db-f1-micro, db-g1-small or db-custom-CPUS-MEMORY."
}

// checkCustomTier checks the shape of a db-custom-CPUS-MEMORY tier.
func checkCustomTier(tier string) string {
	m := sqlCustomTier.FindStringSubmatch(tier)
	cpus, _ := strconv.Atoi(m[1])
	mem, _ := strconv.Atoi(m[2])
	if cpus < 1 || cpus > 96 || (cpus > 1 && cpus%2 != 0) {
		return "Invalid Tier (" + tier + "): the number of vCPUs must be 1 or an even number up to 96."
	}
	if mem%256 != 0 || mem < 3840 || mem < cpus*922 || mem > cpus*6656 {
		return "Invalid Tier (" + tier + "): memory must be a multiple of 256 MB, at least 3840 MB, and between 0.9 GB and 6.5 GB per vCPU."
	}
	return ""
}
