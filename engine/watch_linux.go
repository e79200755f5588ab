package engine

import "golang.org/x/sys/unix"

// Magic numbers (statfs(2)) of filesystems whose changes made by other
// hosts inotify does not report.
var networkMagic = map[int64]string{
	0x6969:     "nfs",
	0x517b:     "smb",
	0xff534d42: "cifs",
	0xfe534d42: "smb2",
	0x65735546: "fuse",
	0x00c36400: "ceph",
	0x5346414f: "afs",
	0x01021997: "9p",
	0x013111a8: "ibrix",
	0x47504653: "gpfs",
	0x0bd00bd0: "lustre",
}

// networkFS reports whether dir is on a network filesystem, and which.
func networkFS(dir string) (string, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return "", false
	}
	name, ok := networkMagic[int64(st.Type)]
	return name, ok
}
