# The bare flow of B3 runs on Viewflow's own Process and Task models: no tables of its own.
