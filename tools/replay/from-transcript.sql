-- A job's stored transcript as a replay file for the Replay provider (docs/llm.md, "Replay"): each agent's model
-- answers (the transcript's model_call entries that got one), in the order of the agent's tasks and calls.
--   psql "<connection>" -At -v job=<job id> -f tools/replay/from-transcript.sql > replay.json
SELECT jsonb_pretty(jsonb_build_object(
    'description', 'job ' || :'job' || ', replayed from its transcript',
    'answers', jsonb_object_agg(agent, answers)))
FROM (
    SELECT lower(replace(k.agent_type, '_', '')) AS agent,
           jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
               'messages', t.content->'response'->'messages',
               'finishReason', t.content->'response'->'finishReason',
               'usage', t.content->'usage')) ORDER BY k.created_at, k.id, t.seq) AS answers
    FROM task_transcripts t
    JOIN tasks k ON k.id = t.task_id
    WHERE t.job_id = :'job' AND t.kind = 'model_call' AND t.content ? 'response'
    GROUP BY 1
) per_agent;
