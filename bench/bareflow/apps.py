from django.apps import AppConfig


class BareflowConfig(AppConfig):
    name = "bench.bareflow"
    label = "bench_bareflow"
    verbose_name = "Bare Viewflow flow (benchmark B3)"
