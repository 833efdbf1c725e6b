"""minikctl: a kubectl-compatible command line for minik, speaking only the Kubernetes REST API."""
