"""Ready English and Japanese sentences for the planner's structured reasons.

Parameters named after items (capability, dependant, prerequisite), roles, phases or risks hold ids;
the sentences show their names, looked up through `Names` (`evidence` holds a capability id and shows
what that capability's evidence says). A reason about a capability's levels also
quotes what each level means (`{from_level_text}`), so the reader sees what the answer was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from app.catalogue.schema import Phase
from app.maturity.schema import Text
from app.roadmap.planner.plan import Param, Reason, ReasonCode

ITEM_PARAMS = frozenset({"capability", "dependant", "prerequisite"})
ROLE_PARAMS = frozenset({"role", "roles"})
PHASE_PARAMS = frozenset({"phase", "to_phase"})
LEVEL_PARAMS = frozenset({"from_level", "to_level"})

PHASE_NAMES: Mapping[Phase, Text] = {
    Phase.FOUNDATION: Text(en="Foundation (months 1–3)", ja="基盤整備（1〜3か月目）"),
    Phase.AUTOMATION: Text(en="Automation (months 4–6)", ja="自動化（4〜6か月目）"),
    Phase.MONITORING: Text(en="Monitoring (months 7–9)", ja="モニタリング（7〜9か月目）"),
    Phase.OPTIMISATION: Text(en="Optimisation (months 10–12)", ja="最適化（10〜12か月目）"),
}

PIPELINE: Mapping[bool, Text] = {
    True: Text(en="existing data pipeline", ja="データパイプラインあり"),
    False: Text(en="no data pipeline yet", ja="データパイプラインなし"),
}

C = ReasonCode
TEMPLATES: Mapping[ReasonCode, tuple[str, str]] = {
    C.CLOSES_GAP: (
        "Assessed at level {from_level}, target {to_level}. Now: {from_level_text} Target: {to_level_text}",
        "評価はレベル {from_level}、目標はレベル {to_level} です。"
        "現状：{from_level_text}目標：{to_level_text}",
    ),
    C.PREREQUISITE_OF: (
        "Prerequisite of {dependant}: needed at level {level} first.",
        "{dependant}の前提条件です（先にレベル {level} が必要です）。",
    ),
    C.PLAYBOOK_PHASE: (
        "{effort} person-weeks at about {rate} a month in months {from_month}–{to_month}; "
        "the playbook puts this work in {phase}.",
        "{effort}人週を月およそ{rate}人週のペースで{from_month}〜{to_month}か月目に行います。"
        "プレイブックでは{phase}の作業です。",
    ),
    C.BROUGHT_FORWARD: (
        "Brought forward from {phase} to {to_phase}: {dependant} needs it.",
        "{dependant}に必要なため、{phase}から{to_phase}に前倒ししています。",
    ),
    C.WAITS_FOR: (
        "Starts in month {month}, once {prerequisite} has reached level {level}.",
        "{prerequisite}がレベル {level} に達するのを待って{month}か月目に開始します。",
    ),
    C.BUILDS_ON: (
        "Builds on {prerequisite} at level {level}, in place by the end of month {month}.",
        "{month}か月目までにレベル {level} に達する{prerequisite}を土台にします。",
    ),
    C.AT_RISK: (
        "Part of the risk “{risk}” in this plan: see its mitigation under Risks.",
        "この計画のリスク「{risk}」に関わる項目です。対策はリスクの欄を参照してください。",
    ),
    C.CAPACITY_FULL: (
        "Moved to month {month}: capacity in months {from_month}–{to_month} is full.",
        "{from_month}〜{to_month}か月目のキャパシティが埋まっているため、{month}か月目に移しました。",
    ),
    C.MOVED: ("Moved to month {month} in your edits.", "編集により{month}か月目に移しました。"),
    C.PINNED: (
        "Pinned to months {from_month}–{to_month}; regeneration keeps it there.",
        "{from_month}〜{to_month}か月目に固定しています。再生成しても動きません。",
    ),
    C.RESIZED_EFFORT: (
        "Effort set to {effort} person-weeks in your edits.",
        "編集により工数を{effort}人週にしました。",
    ),
    C.RESIZED_DURATION: (
        "Duration set to {months} months in your edits.",
        "編集により期間を{months}か月にしました。",
    ),
    C.OWNER_CHANGED: ("Owners changed to {roles} in your edits.", "編集により担当を{roles}に変更しました。"),
    C.OWNERS_FROM_RACI: (
        "Owners from the team's RACI matrix: {roles} (accountable: {role}).",
        "チームの RACI マトリクスにより、担当は{roles}です（説明責任者：{role}）。",
    ),
    C.MISSING_ROLE: (
        "Needs someone in the {role} role, which the team does not have.",
        "チームにいない{role}が必要です。",
    ),
    C.PREREQUISITE_DROPPED: (
        "Its prerequisite {prerequisite} was dropped: check that it is in place.",
        "前提条件の{prerequisite}は計画から外されています。整っているか確認してください。",
    ),
    C.CUSTOM: ("Added by hand.", "手動で追加した項目です。"),
    C.LATER_THAN_PHASE: (
        "Starts in month {month}, later than {phase} in the playbook.",
        "プレイブックの{phase}より遅い{month}か月目に開始します。",
    ),
    C.EARLIER_THAN_PHASE: (
        "Starts in month {month}, earlier than {phase} in the playbook.",
        "プレイブックの{phase}より早い{month}か月目に開始します。",
    ),
    C.PINNED_BEFORE_PREREQUISITE: (
        "Pinned to start before its prerequisite {prerequisite} is done.",
        "前提条件の{prerequisite}が終わる前に開始するよう固定されています。",
    ),
    C.OVER_CAPACITY: (
        "Pinned items book more than the capacity of month {month}.",
        "固定した項目だけで{month}か月目のキャパシティを超えています。",
    ),
    C.NO_CAPACITY: (
        "Does not fit in the 12 months: capacity from month {month} on is full.",
        "12か月に収まりません。{month}か月目以降のキャパシティが埋まっています。",
    ),
    C.PREREQUISITE_BEYOND: (
        "Waits for {prerequisite}, which does not fit in the 12 months.",
        "12か月に収まらない{prerequisite}の完了を待つ必要があります。",
    ),
    C.ACHIEVED: (
        "Already at level {level} (target {target}).",
        "すでにレベル {level} です（目標 {target}）。",
    ),
    C.DROPPED: (
        "Dropped in your edits; regeneration will not schedule it.",
        "編集で計画から外しました。再生成しても計画に入りません。",
    ),
    C.NEW_TOOLS: (
        "Quarter {quarter} brings in {count} new tools: {tools}.",
        "第{quarter}四半期に{count}個の新しいツールを導入します：{tools}。",
    ),
    C.ONE_TOOL_EVERYWHERE: (
        "{count} of {total} items depend on {tool}.",
        "{total}項目のうち{count}項目が{tool}に依存しています。",
    ),
    C.NO_DATA_SCIENTIST_OWNER: (
        "Data scientists are Responsible for none of the {total} items.",
        "{total}項目のどれにもデータサイエンティストが実行責任者（R）として入っていません。",
    ),
    C.MONITORING_LAST: (
        "Monitoring work starts in month {month} at the earliest, in the last phase or later.",
        "モニタリングの作業が早くても{month}か月目、最後のフェーズ以降に始まります。",
    ),
    C.FROM_EVIDENCE: (
        "Current level {level} from evidence: {evidence} ({sources}, synced {synced}).",
        "現状のレベル {level} はエビデンスによるものです：{evidence}（{sources}、{synced} 同期）。",
    ),
    C.EVIDENCE_DISAGREES: (
        "Answered level {level}, but the evidence suggests level {suggested}: {evidence} "
        "({sources}, synced {synced}). The disagreement is open: check the answer.",
        "回答はレベル {level} ですが、エビデンスはレベル {suggested} を示唆しています：{evidence}"
        "（{sources}、{synced} 同期）。食い違いは未解決です。回答を確認してください。",
    ),
    C.POC_SCORE: (
        "{name}: {score} points (business value {business_value}/5, scope {scope}/5, {pipeline}).",
        "{name}：{score}点（ビジネス価値 {business_value}/5、スコープ {scope}/5、{pipeline}）。",
    ),
}


# Used instead of the code's template when the range covers one month.
ONE_MONTH: Mapping[ReasonCode, tuple[str, str]] = {
    C.CAPACITY_FULL: (
        "Moved to month {month}: capacity in month {from_month} is full.",
        "{from_month}か月目のキャパシティが埋まっているため、{month}か月目に移しました。",
    ),
    C.PINNED: (
        "Pinned to month {from_month}; regeneration keeps it there.",
        "{from_month}か月目に固定しています。再生成しても動きません。",
    ),
    C.PLAYBOOK_PHASE: (
        "{effort} person-weeks in month {from_month}; the playbook puts this work in {phase}.",
        "{effort}人週を{from_month}か月目に行います。プレイブックでは{phase}の作業です。",
    ),
}

# Used instead of the code's template when the prerequisite is a custom item (it has no level).
NO_LEVEL: Mapping[ReasonCode, tuple[str, str]] = {
    C.WAITS_FOR: (
        "Starts in month {month}, once {prerequisite} is done.",
        "{prerequisite}の完了を待って{month}か月目に開始します。",
    ),
    C.BUILDS_ON: (
        "Builds on {prerequisite}, done by the end of month {month}.",
        "{month}か月目までに終わる{prerequisite}を土台にします。",
    ),
}


class Names:
    """Display names for the ids in reason parameters."""

    def __init__(
        self,
        items: Callable[[str], Text],
        roles: Mapping[str, Text],
        levels: Callable[[str, int], Text | None] = lambda _capability, _level: None,
        risks: Mapping[str, Text] | None = None,
        evidence: Mapping[str, Text] | None = None,
    ) -> None:
        self._items = items
        self._roles = roles
        self._levels = levels
        self._risks = risks or {}
        self._evidence = evidence or {}  # capability id → what its evidence says

    def level(self, capability: str, level: int) -> Text:
        """What `level` of `capability` means, else just "level N"."""
        return self._levels(capability, level) or Text(en=f"level {level}.", ja=f"レベル {level}。")

    def show(self, key: str, value: Param) -> Text:
        if key in ITEM_PARAMS:
            return _join([self._items(i) for i in str(value).split(",") if i])
        if key in ROLE_PARAMS:
            return _join([self._roles.get(r, Text(en=r, ja=r)) for r in str(value).split(",") if r])
        if key == "pipeline":
            return PIPELINE[bool(value)]
        if key in PHASE_PARAMS:
            return PHASE_NAMES[Phase(str(value))]
        if key == "risk":
            return self._risks.get(str(value), Text(en=str(value), ja=str(value)))
        if key == "evidence":
            return self._evidence.get(str(value), Text(en="-", ja="-"))
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        return Text(en=shown, ja=shown)


def explain(code: ReasonCode, names: Names, **params: Param) -> Reason:
    """A reason with its parameters and its sentence in both languages."""
    one_month = "from_month" in params and params["from_month"] == params.get("to_month")
    no_level = params.get("level") == 0 and code in NO_LEVEL
    en, ja = ONE_MONTH[code] if one_month and code in ONE_MONTH else TEMPLATES[code]
    en, ja = NO_LEVEL[code] if no_level else (en, ja)
    shown = {key: names.show(key, value) for key, value in params.items()}
    if "capability" in params:
        capability = str(params["capability"])
        for key in LEVEL_PARAMS & set(params):
            shown[f"{key}_text"] = names.level(capability, int(params[key]))
    text = Text(
        en=en.format(**{k: v.en for k, v in shown.items()}),
        ja=ja.format(**{k: v.ja for k, v in shown.items()}),
    )
    return Reason(code=code, params=tuple(params.items()), text=text)


def _join(texts: list[Text]) -> Text:
    return Text(en=", ".join(t.en for t in texts) or "-", ja="、".join(t.ja for t in texts) or "-")
