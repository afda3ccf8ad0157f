-- Writes one indicator of indicators/catalogue.json: inserted, or updated in place (its code is its identity, so the
-- figures, sharing and pages that name it keep it). Visibility and the contributed flag are not the catalogue's.
-- Parameters: the catalogue entry's fields (@Code … @Derived), @SeriesBreaks (jsonb text), @Order (its place in the file).
insert into indicator (code, theme, label_fr, label_en, short_label_fr, short_label_en, unit_fr, unit_en, kind, decimals,
    definition_fr, definition_en, source, producer, licence, polarity, additive, numerator, denominator, multiplier,
    secrecy_threshold, secrecy_applies_to, secrecy_rule_fr, secrecy_rule_en, series_breaks, derived, sort_order)
values (@Code, @Theme, @LabelFr, @LabelEn, @ShortLabelFr, @ShortLabelEn, @UnitFr, @UnitEn, @Kind, @Decimals,
    @DefinitionFr, @DefinitionEn, @Source, @Producer, @Licence, @Polarity, @Additive, @Numerator, @Denominator, @Multiplier,
    @Threshold, @AppliesTo, @RuleFr, @RuleEn, @SeriesBreaks::jsonb, @Derived, @Order)
on conflict (code) do update set theme = excluded.theme, label_fr = excluded.label_fr, label_en = excluded.label_en,
    short_label_fr = excluded.short_label_fr, short_label_en = excluded.short_label_en, unit_fr = excluded.unit_fr,
    unit_en = excluded.unit_en, kind = excluded.kind, decimals = excluded.decimals, definition_fr = excluded.definition_fr,
    definition_en = excluded.definition_en, source = excluded.source, producer = excluded.producer, licence = excluded.licence,
    polarity = excluded.polarity, additive = excluded.additive, numerator = excluded.numerator,
    denominator = excluded.denominator, multiplier = excluded.multiplier, secrecy_threshold = excluded.secrecy_threshold,
    secrecy_applies_to = excluded.secrecy_applies_to, secrecy_rule_fr = excluded.secrecy_rule_fr,
    secrecy_rule_en = excluded.secrecy_rule_en, series_breaks = excluded.series_breaks, derived = excluded.derived,
    sort_order = excluded.sort_order;
