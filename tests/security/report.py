"""Prints the access-control matrix's size and its unexpected cells at the end of the run.

Loaded by tests/conftest.py; under xdist the workers' recorded properties reach the controller
with each report, so the summary is printed once for the whole run."""

RESULTS: dict = {}


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    properties = dict(report.user_properties)
    if "matrix" in properties:
        RESULTS[properties["matrix"]["actor"]] = {
            **properties["matrix"],
            "urls": properties["matrix_urls"],
            "objects": properties["matrix_objects"],
            "passed": report.passed,
        }


def pytest_terminal_summary(terminalreporter):
    if not RESULTS:
        return
    cells = sum(result["cells"] for result in RESULTS.values())
    unexpected = sum(result["unexpected"] for result in RESULTS.values())
    urls = max(result["urls"] for result in RESULTS.values())
    objects = max(result["objects"] for result in RESULTS.values())
    terminalreporter.write_sep("=", "access-control matrix")
    terminalreporter.write_line(
        f"matrix: {urls} URLs x {len(RESULTS)} actors x {objects} objects: {cells} cells "
        f"requested, {unexpected} unexpected"
    )
    for actor, result in RESULTS.items():
        terminalreporter.write_line(
            f"  {actor:12} {result['cells']:6} cells  {result['unexpected']} unexpected"
        )
