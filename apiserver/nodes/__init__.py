"""Node agents: the simulated kubelet (`kubelet.NodeAgent`) that registers nodes, heartbeats
through Leases and runs bound pods through a kubelet's stages."""
