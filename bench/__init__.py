"""Benchmarks of Kokeilu (B1 lifecycle throughput, B2 scaling, B3 engine overhead): `make bench`."""
