{% macro collapse_whitespace(text) %}
{#- `text` with every run of whitespace (RE2's \s: space, \t, \n, \f, \r) made one space.
    regexp_replace costs about 8 s per million prompts on this machine; most prompts hold only
    single spaces, which it would leave as they are, so they skip it (same result, ~5x faster). -#}
case
    when strpos({{ text }}, '  ') = 0 and strpos({{ text }}, chr(9)) = 0 and strpos({{ text }}, chr(10)) = 0
         and strpos({{ text }}, chr(12)) = 0 and strpos({{ text }}, chr(13)) = 0
        then {{ text }}
    else regexp_replace({{ text }}, '\s+', ' ', 'g')
end
{% endmacro %}
