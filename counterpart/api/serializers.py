"""What the API reads and writes, field by field. Codes and their labels in the reader's
language sit side by side (`stage` and `stage_label`)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from counterpart.assessments.models import Privacy, Round, RoundKind
from counterpart.commitments.models import Commitment
from counterpart.commitments.selectors import STATUS_LABELS, status_of
from counterpart.concerns.models import Concern
from counterpart.funding.models import Flow
from counterpart.organisations.models import Organisation
from counterpart.partnerships.models import Partnership, Party, Side, Stage

from .models import ApiToken


class OrganisationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    country = serializers.CharField(source="country.code", read_only=True)
    website = serializers.CharField(read_only=True, help_text="An address, or empty.")

    class Meta:
        model = Organisation
        fields = [
            "id", "name", "kind", "kind_label", "refugee_led", "country", "iati_identifier",
            "website", "description",
        ]  # fmt: skip
        read_only_fields = fields


class PartySerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    side_label = serializers.CharField(source="get_side_display", read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Party
        fields = ["organisation", "organisation_name", "side", "side_label", "role", "role_label"]
        read_only_fields = fields


class PartnershipSerializer(serializers.ModelSerializer):
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    countries = serializers.SerializerMethodField()
    parties = PartySerializer(many=True, read_only=True)

    class Meta:
        model = Partnership
        fields = [
            "id", "title", "description", "stage", "stage_label", "countries", "start_date",
            "end_date", "parties",
        ]  # fmt: skip
        read_only_fields = fields

    def get_countries(self, partnership) -> list[str]:
        return [country.code for country in partnership.countries]


class RoundSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    privacy_label = serializers.CharField(source="get_privacy_display", read_only=True)
    response_count = serializers.IntegerField(read_only=True)
    stage = serializers.ChoiceField(
        choices=Stage.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty for a partner feedback round.",
    )

    class Meta:
        model = Round
        fields = [
            "id", "kind", "kind_label", "organisation", "partnership", "title", "stage",
            "framework_version", "opens_on", "closes_on", "privacy", "privacy_label",
            "conversation_mode", "threshold", "state", "state_label", "response_count",
            "opened_at", "closed_at", "released_at",
        ]  # fmt: skip
        read_only_fields = fields


class RoundCreateSerializer(serializers.Serializer):
    """A new round. With `partnership`, both sides of that partnership answer and `organisation`
    is the side you prepare it for; without it, it is a partner feedback round about
    `organisation`, always anonymous."""

    kind = serializers.ChoiceField(choices=RoundKind.choices)
    organisation = serializers.IntegerField(min_value=1)
    partnership = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    stage = serializers.ChoiceField(choices=Stage.choices, required=False, allow_blank=True)
    framework_version = serializers.IntegerField(min_value=1)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    privacy = serializers.ChoiceField(
        choices=[Privacy.NAMED, Privacy.ORGANISATION], required=False, default=Privacy.ORGANISATION
    )
    conversation_mode = serializers.BooleanField(required=False, default=False)
    threshold = serializers.IntegerField(min_value=3, max_value=1000, required=False, default=5)

    def validate(self, data):
        if data["kind"] == RoundKind.PARTNERSHIP:
            if not data.get("partnership"):
                raise serializers.ValidationError(
                    {"partnership": _("A partnership round needs its partnership.")}
                )
            if not data.get("stage"):
                raise serializers.ValidationError({"stage": _("Choose the stage.")})
        elif data.get("partnership"):
            raise serializers.ValidationError(
                {"partnership": _("A partner feedback round is about one organisation only.")}
            )
        return data


class RespondentCreateSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices, required=False, default=Side.LOCAL)
    email = serializers.EmailField()
    name = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    language = serializers.ChoiceField(choices=["en", "fr", "es", "ar"], default="en")


class RespondentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    side = serializers.CharField()
    email = serializers.EmailField()
    name = serializers.CharField()
    language = serializers.CharField()


class SideAcceptSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices)


# --- Results -----------------------------------------------------------------------------------


class CountSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class SideScoreSerializer(serializers.Serializer):
    side = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    answers = serializers.IntegerField()


class GapSerializer(serializers.Serializer):
    points = serializers.FloatField(allow_null=True)
    flagged = serializers.BooleanField()


class ScoredSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    scores = SideScoreSerializer(many=True, allow_null=True)
    gap = GapSerializer(allow_null=True)


class CommentSerializer(serializers.Serializer):
    side = serializers.CharField()
    who = serializers.CharField(help_text="Only in rounds whose answers are named.")
    text = serializers.CharField()


class SideCountsSerializer(serializers.Serializer):
    side = serializers.CharField()
    counts = CountSerializer(many=True)


class SideTextSerializer(serializers.Serializer):
    side = serializers.CharField()
    text = serializers.CharField()


class PairSerializer(serializers.Serializer):
    code = serializers.CharField()
    element = serializers.CharField()
    prompt = serializers.CharField()
    statements = SideTextSerializer(many=True)
    scores = SideScoreSerializer(many=True, allow_null=True)
    gap = GapSerializer(allow_null=True)
    distribution = SideCountsSerializer(many=True, allow_null=True)
    comments = CommentSerializer(many=True)


class PracticeSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    element = serializers.CharField()
    score = serializers.FloatField(allow_null=True)
    counts = SideCountsSerializer(many=True, allow_null=True)
    comments = CommentSerializer(many=True)


class ResponsesBySideSerializer(serializers.Serializer):
    side = serializers.CharField()
    responses = serializers.IntegerField()


class ResultsSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    language = serializers.CharField()
    conversation_mode = serializers.BooleanField(
        help_text="When true, scores, gaps and counts are left out, as on the results page."
    )
    gap_threshold = serializers.IntegerField()
    responses = ResponsesBySideSerializer(many=True)
    elements = ScoredSerializer(many=True)
    foundations = ScoredSerializer(many=True)
    pairs = PairSerializer(many=True)
    practices = PracticeSerializer(many=True)


# --- Commitments, concerns, funding, frameworks -----------------------------------------------


class CommitmentSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    status = serializers.SerializerMethodField(
        help_text="The state, with 'overdue' and 'kept_late' told apart."
    )
    status_label = serializers.SerializerMethodField()
    owner_side_label = serializers.CharField(source="get_owner_side_display", read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id", "partnership", "round", "title", "element", "question", "owner_side",
            "owner_side_label", "owner_organisation", "due_on", "evidence_expected", "state",
            "state_label", "status", "status_label", "proposed_side", "created_at", "agreed_at",
            "done_reported_at", "kept_at", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_status(self, commitment) -> str:
        return status_of(commitment)

    def get_status_label(self, commitment) -> str:
        return str(STATUS_LABELS[status_of(commitment)])


class ConcernSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reply_by_label = serializers.CharField(source="get_reply_by_display", read_only=True)
    raised_by = serializers.SerializerMethodField(
        help_text="The person's email, or null when they did not give their name."
    )

    class Meta:
        model = Concern
        fields = [
            "id", "reference", "organisation", "partnership", "category", "category_label",
            "description", "status", "status_label", "reply_by", "reply_by_label", "contact",
            "raised_by", "received_at", "acknowledge_by", "respond_by", "acknowledged_at",
            "responded_at", "resolved_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_raised_by(self, concern) -> str | None:
        return concern.raised_by.email if concern.raised_by_id else None


class FlowSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    receiver_class_label = serializers.CharField(
        source="get_receiver_class_display", read_only=True
    )
    country = serializers.CharField(source="country.code", read_only=True, allow_null=True)
    amount = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)
    overhead_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, allow_null=True
    )
    intermediaries = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Flow
        fields = [
            "id", "organisation", "kind", "kind_label", "source", "source_label", "date",
            "amount", "currency", "provider_name", "receiver_organisation", "receiver_name",
            "receiver_ref", "receiver_class", "receiver_class_label", "intermediaries",
            "humanitarian", "flexible", "multi_year", "overhead_rate", "country",
            "partnership", "note",
        ]  # fmt: skip
        read_only_fields = fields


class FigureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    share = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    numerator = serializers.DecimalField(max_digits=20, decimal_places=2)
    denominator = serializers.DecimalField(max_digits=20, decimal_places=2)
    unit = serializers.CharField(help_text="'money', or 'partners' for the overhead figure.")
    target = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    meets_target = serializers.BooleanField(allow_null=True)


class MetricsSerializer(serializers.Serializer):
    organisation = serializers.IntegerField()
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField(help_text="The day after the period's last day.")
    kind = serializers.CharField()
    currency = serializers.CharField()
    total = serializers.DecimalField(max_digits=20, decimal_places=2)
    counted = serializers.IntegerField()
    waiting = serializers.IntegerField(
        help_text="Flows left out: the receiver waits for a decision."
    )
    no_rate = serializers.IntegerField(help_text="Flows left out: no exchange rate for the date.")
    overhead_average = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    figures = FigureSerializer(many=True)


class MetricsQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1990, max_value=2100, required=False)
    fiscal = serializers.BooleanField(required=False, default=False)
    kind = serializers.ChoiceField(
        choices=["disbursement", "commitment"], required=False, default="disbursement"
    )
    humanitarian_only = serializers.BooleanField(required=False, default=False)
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False, default="")


class FrameworkVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    framework = serializers.CharField(source="framework.name")
    slug = serializers.CharField(source="framework.slug")
    organisation = serializers.IntegerField(
        source="framework.organisation_id", allow_null=True, help_text="Null when built in."
    )
    number = serializers.IntegerField()
    title = serializers.CharField()
    default_language = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "start", "created_at", "expires_on", "last_used_at", "revoked_at"]
        read_only_fields = fields
