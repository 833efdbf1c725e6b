"""In-process controllers, each a `reconcile(key)` over shared informer caches.

runtime (Controller run loop, Pacer) · workqueue · informer (shared caches and indexes) ·
client (the API by group and plural; LocalClient calls the registry) · events (recorder) ·
replication (+ ownerkinds, replicastatus, expectations, podstate) · scheduler (+ nodefit) ·
endpoints, endpointslices, apiserverendpoints (+ servicepods) · garbagecollector ·
namespace · manager (run_controllers: everything, and the node agent in `apiserver.nodes`).
"""
