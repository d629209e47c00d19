-- One row per consecutive pair of generations in a session (previous -> this one), keyed by the
-- later generation, with the edit classified. The rules, the first that holds (docs/refinement.md):
--   re_roll            same terms in the same order, no setting changed but the seed
--   settings_only      same terms in the same order, step, cfg, sampler, width or height changed
--   modifiers_added    nothing removed, something added: terms, with the same subject (first
--                      term), or words (every word of the previous prompt kept)
--   modifiers_removed  the same, the other way round
--   modifiers_changed  same subject, terms both added and removed (or only reordered)
--   new_idea           another subject and word similarity under var('new_idea_similarity')
--   subject_changed    another subject, the words still similar
-- Terms are computed once per distinct prompt, not per generation.
with generations as (
    select * from {{ ref('stg_generations') }}
),

prompt_texts as (
    select distinct prompt_id, prompt_normalized from generations
),

-- terms: the comma-separated phrases of the normalized prompt, trimmed of spaces and full stops,
-- empty ones dropped, repeats dropped (the first kept, so the first term is the subject).
-- words: runs of letters and digits (any script), for the similarity.
split as (
    select
        prompt_id,
        list_filter(
            list_transform(string_split(prompt_normalized, ','), t -> trim(t, ' .')), t -> t <> ''
        ) as raw_terms,
        list_distinct(regexp_extract_all(prompt_normalized, '[\pL\pN]+')) as words
    from prompt_texts
),

prompt_terms as (
    select
        prompt_id,
        list_filter(raw_terms, (t, i) -> list_position(raw_terms, t) = i) as terms,
        coalesce(raw_terms[1], '') as subject,
        words
    from split
),

pairs as (
    select
        g.generation_id,
        lag(g.generation_id) over w as previous_generation_id,
        g.session_id,
        g.user_id,
        g.session_seq,
        g.created_at,
        g.status,
        lag(g.status) over w as previous_status,
        g.prompt_id,
        lag(g.prompt_id) over w as previous_prompt_id,
        lag(g.created_at) over w as previous_created_at,
        g.seed is distinct from lag(g.seed) over w as seed_changed,
        g.step is distinct from lag(g.step) over w as step_changed,
        g.cfg is distinct from lag(g.cfg) over w as cfg_changed,
        g.sampler is distinct from lag(g.sampler) over w as sampler_changed,
        g.width is distinct from lag(g.width) over w as width_changed,
        g.height is distinct from lag(g.height) over w as height_changed
    from generations as g
    window w as (partition by g.session_id order by g.session_seq)
),

compared as (
    select
        p.*,
        list_filter(
            [case when seed_changed then 'seed' end,
             case when step_changed then 'step' end,
             case when cfg_changed then 'cfg' end,
             case when sampler_changed then 'sampler' end,
             case when width_changed then 'width' end,
             case when height_changed then 'height' end],
            s -> s is not null
        ) as settings_changed,
        list_filter(cur.terms, t -> not list_contains(prev.terms, t)) as terms_added,
        list_filter(prev.terms, t -> not list_contains(cur.terms, t)) as terms_removed,
        cur.terms = prev.terms as same_terms,
        cur.subject = prev.subject as same_subject,
        list_has_all(cur.words, prev.words) as kept_every_word,
        list_has_all(prev.words, cur.words) as added_no_word,
        -- word-set Jaccard: shared words / all words of the two prompts; 1 when both have none
        case
            when len(list_distinct(list_concat(cur.words, prev.words))) = 0 then 1.0
            else len(list_intersect(cur.words, prev.words))
                / len(list_distinct(list_concat(cur.words, prev.words)))
        end as similarity
    from pairs as p
    join prompt_terms as cur on cur.prompt_id = p.prompt_id
    join prompt_terms as prev on prev.prompt_id = p.previous_prompt_id
    where p.previous_generation_id is not null
),

classified as (
    select
        *,
        case
            when same_terms
                then case when list_has_any(settings_changed, ['step', 'cfg', 'sampler', 'width', 'height'])
                          then 'settings_only' else 're_roll' end
            when same_subject and len(terms_removed) = 0 and len(terms_added) > 0 then 'modifiers_added'
            when same_subject and len(terms_added) = 0 and len(terms_removed) > 0 then 'modifiers_removed'
            when kept_every_word and not added_no_word then 'modifiers_added'
            when added_no_word and not kept_every_word then 'modifiers_removed'
            when same_subject then 'modifiers_changed'
            when similarity < {{ var('new_idea_similarity') }} then 'new_idea'
            else 'subject_changed'
        end as edit_type
    from compared
),

final as (
    select
        generation_id,
        previous_generation_id,
        session_id,
        user_id,
        session_seq,
        created_at,
        edit_type,
        terms_added,
        terms_removed,
        len(terms_added) as n_terms_added,
        len(terms_removed) as n_terms_removed,
        round(similarity, 4) as similarity,
        settings_changed,
        epoch(created_at - previous_created_at)::bigint as seconds_since_previous,
        status,
        previous_status
    from classified
)

select * from final
