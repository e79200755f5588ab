// Package cluster holds the cluster test (`make test-cluster`, build tag
// cluster): HAProxy configured by deploy/haproxy.cfg in front of three
// metiers replicas on loopback, driven while a guide is published, a
// replica is killed and restarted, and a reindex runs.
package cluster
