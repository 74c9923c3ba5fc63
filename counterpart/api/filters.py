"""The filters each list accepts, as query parameters (`?stage=review&organisation=3`)."""

import django_filters
from django import forms

from counterpart.assessments.models import Round, RoundKind, RoundState
from counterpart.commitments.models import Commitment, CommitmentState
from counterpart.concerns.models import Category, Concern, Status
from counterpart.funding.models import Flow, FlowKind, FlowSource
from counterpart.partnerships.models import Partnership, Side, Stage

# Identifiers beyond this are refused as a wrong value rather than sent to the database.
LARGEST_ID = 10**18


class IdFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(*args, **kwargs)


class PartnershipFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    organisation = IdFilter(field_name="parties__organisation", label="organisation", distinct=True)

    class Meta:
        model = Partnership
        fields = ["stage", "organisation"]


class RoundFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RoundKind.choices)
    state = django_filters.ChoiceFilter(choices=RoundState.choices)
    partnership = IdFilter()
    organisation = IdFilter()

    class Meta:
        model = Round
        fields = ["kind", "state", "partnership", "organisation"]


class CommitmentFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=CommitmentState.choices)
    owner_side = django_filters.ChoiceFilter(choices=Side.choices)
    partnership = IdFilter()
    round = IdFilter()
    due_after = django_filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lte")

    class Meta:
        model = Commitment
        fields = ["state", "owner_side", "partnership", "round", "due_after", "due_before"]


class ConcernFilter(django_filters.FilterSet):
    organisation = IdFilter()
    status = django_filters.ChoiceFilter(choices=Status.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)

    class Meta:
        model = Concern
        fields = ["organisation", "status", "category"]


class FlowFilter(django_filters.FilterSet):
    organisation = IdFilter()
    kind = django_filters.ChoiceFilter(choices=FlowKind.choices)
    source = django_filters.ChoiceFilter(choices=FlowSource.choices)
    country = django_filters.CharFilter(max_length=2)
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Flow
        fields = ["organisation", "kind", "source", "country", "date_after", "date_before"]
