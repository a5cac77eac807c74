"""B3: PilotFlow's node sequence as a bare Viewflow flow.

The same human nodes, gateways, split and join, on Viewflow's own Process model (the decisions
in its JSON `data`), with no object permissions (guardian), no history, no due dates, no
notifications and no case data: what the engine costs by itself.
"""

from django.http import HttpResponse
from viewflow import this
from viewflow.workflow import flow, lock


def _page(request, **kwargs):
    return HttpResponse("")  # never rendered: the benchmark drives the activation API


class BareFlow(flow.Flow):
    """Bare pilot"""

    lock_impl = lock.select_for_update_lock

    submit = flow.StartHandle(this.start_process).Next(this.screen)
    screen = flow.View(_page).Next(this.check_screening)
    check_screening = (
        flow.Switch()
        .Case(this.match, lambda a: a.process.data.get("screening") == "accept")
        .Case(this.request_information, lambda a: a.process.data.get("screening") == "info")
        .Default(this.rejected)
    )
    request_information = flow.View(_page).Next(this.screen)
    match = flow.View(_page).Next(this.review_match)
    review_match = flow.View(_page).Next(this.check_match)
    check_match = (
        flow.If(lambda a: a.process.data.get("match_accepted") is True)
        .Then(this.prepare_contract)
        .Else(this.match)
    )
    prepare_contract = flow.View(_page).Next(this.accept_contract)
    accept_contract = flow.View(_page).Next(this.check_contract)
    check_contract = (
        flow.If(lambda a: a.process.data.get("contract_accepted") is True)
        .Then(this.sign_contract)
        .Else(this.prepare_contract)
    )
    sign_contract = flow.View(_page).Next(this.run_pilot)
    run_pilot = flow.View(_page).Next(this.split_evaluation)
    split_evaluation = flow.Split().Always(this.evaluate_division).Always(this.evaluate_company)
    evaluate_division = flow.View(_page).Next(this.join_evaluation)
    evaluate_company = flow.View(_page).Next(this.join_evaluation)
    join_evaluation = flow.Join().Next(this.evaluation_done)
    evaluation_done = flow.Function(this.complete_evaluation).Next(this.decide_scaling)
    decide_scaling = flow.View(_page).Next(this.end)
    rejected = flow.End()
    end = flow.End()

    def start_process(self, activation, title, by):
        activation.process.data = {"title": title}
        activation.task.owner = by
        return activation.process

    def complete_evaluation(self, activation):
        activation.process.data["evaluated"] = True
        activation.process.save(update_fields=["data"])
