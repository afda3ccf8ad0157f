-- The indicators a pass of the derived steps recomputes, as a table every step joins: every indicator, or with
-- `set local atlas.indicators = 'a,b'` (a publication) only those listed and the rates made from them (a rate's
-- numerator or denominator listed). Analysed, so each step's plan knows whether it is two indicators or all of them.
-- Put before every derived step by DerivedFigures.StepSql: each step stays runnable on its own.
drop table if exists derived_scope;
create temporary table derived_scope on commit drop as
select i.code from indicator i
where nullif(current_setting('atlas.indicators', true), '') is null
   or string_to_array(current_setting('atlas.indicators', true), ',') && array[i.code, i.numerator, i.denominator];
analyze derived_scope;
