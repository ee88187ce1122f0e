using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Agents.Coder.Safety;
using Agents.Coder.Tools;
using Microsoft.Extensions.AI;
using MultiAgent.Contracts;
using MultiAgent.Contracts.Telemetry;

namespace Agents.Coder.Loop;

/// <summary>How a session ended: finished (with the model's summary) or stopped by a limit (with the reason).</summary>
public sealed record SessionOutcome(bool Finished, string Summary, string? FailureReason, TokenUsage Usage, int Steps);

/// <summary>The files that conflict after the base branch was merged into the job's branch, and their conflicting hunks.</summary>
public sealed record MergeConflict(IReadOnlyList<string> Files, string Diff);

/// <summary>
/// The tool loop of one implementation: the system prompt and the request go to the model with the tools; every tool
/// call it makes is run and its result sent back; until it calls <c>finish</c> or a limit ends the session (steps,
/// tokens, wall time, or the same call repeated). A bad tool call (unknown tool, arguments that are not JSON or lack
/// a required field, a path outside the workspace) is answered with an error the model can act on, never a crash.
/// </summary>
/// <param name="onToolResult">Told of every tool result (the call, the text sent back, whether it succeeded), e.g. for the transcript.</param>
public sealed class CodingSession(
    IChatClient chat, CodingToolbox toolbox, CoderOptions options, TimeProvider? time = null,
    Action<FunctionCallContent, string, bool>? onToolResult = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public static string SystemPrompt(bool hasCheck) =>
        """
        You are the Coder of an automated team: you implement a feature request in a git repository, and your change
        becomes a pull request that a reviewer reads.

        Rules:
        - Work only through the tools. You cannot run anything else; every path is relative to the repository root.
        - Look before you change: list_files, search and read_file show you the code.
        - Keep the change minimal and focused on the request; follow the repository's existing style.
        - Change existing files with edit_file (old_text must match exactly once); create files with write_file.
        - Do not commit, push or touch .git: that is done for you after finish.
        """ +
        (hasCheck
            ? "\n- The repository has a check (build and tests): call run_check and make it pass before you finish."
            : "\n- This repository has no check command configured; be careful, nothing will build or test your change.") +
        "\n- When done, call finish with a summary of what you changed and why.";

    /// <summary>
    /// The user message: what to build, and for a later iteration the review to address, or the merge conflicts to
    /// resolve (<paramref name="conflict"/>, when the base branch was brought into the branch and some files conflict).
    /// </summary>
    public static string RequestText(ImplementationRequest request, MergeConflict? conflict = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {request.Title}\n\n");
        if (!string.IsNullOrWhiteSpace(request.Description))
        {
            text.Append(request.Description.Trim()).Append("\n\n");
        }

        if (request.Requirements.Count > 0)
        {
            text.Append("## Requirements\n");
            foreach (var requirement in request.Requirements)
            {
                text.Append("- ").Append(requirement).Append('\n');
            }

            text.Append('\n');
        }

        if (conflict is not null)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"## Iteration {request.Iteration}: resolve the merge conflicts\nThe branch already holds this feature's change and was reviewed, but it no longer merges into {request.BaseBranch}, which has changed since. {request.BaseBranch} has now been merged into the branch, and these files conflict: {string.Join(", ", conflict.Files)}. ");
            text.Append("Each conflict is a block from a `<<<<<<<` line to a `>>>>>>>` line: this branch's side first, then, after `=======`, the base branch's. ");
            text.Append("Edit every conflicting file so that it keeps what both sides meant, with no conflict marker left; change nothing else. The conflicting hunks:\n\n```diff\n");
            text.Append(conflict.Diff.TrimEnd()).Append("\n```\n");
        }
        else if (request.Iteration > 1)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"## Iteration {request.Iteration}: address the review\nThe branch already holds the previous iteration's change. ");
            if (request.PreviousReviewComments.Count == 0)
            {
                text.Append("The review left no comments.\n");
            }
            else
            {
                text.Append("The reviewer asked for:\n");
                foreach (var comment in request.PreviousReviewComments)
                {
                    var where = comment.Line is { } line ? $"{comment.File}:{line}" : comment.File;
                    text.Append(CultureInfo.InvariantCulture, $"- [{comment.Severity}] {where}: {comment.Body}\n");
                }
            }
        }

        return text.ToString().TrimEnd() + "\n";
    }

    public async Task<SessionOutcome> RunAsync(ImplementationRequest request, CancellationToken cancellationToken, MergeConflict? conflict = null)
    {
        List<ChatMessage> messages =
        [
            new(ChatRole.System, SystemPrompt(toolbox.Check.Command is not null)),
            new(ChatRole.User, RequestText(request, conflict)),
        ];
        var chatOptions = new ChatOptions { Tools = [.. toolbox.Tools], ToolMode = ChatToolMode.Auto };
        var usage = TokenUsage.Zero;
        var steps = 0;
        string? lastCall = null;
        var repeats = 0;
        var started = _time.GetUtcNow();

        SessionOutcome Stop(string reason) => new(false, "", reason, usage, steps);

        while (true)
        {
            if (steps >= options.MaxSteps)
            {
                return Stop($"step limit of {options.MaxSteps} reached");
            }

            if (usage.Total >= options.MaxTotalTokens)
            {
                return Stop($"token limit of {options.MaxTotalTokens} reached ({usage.Total} tokens used)");
            }

            var remaining = options.MaxWallTime - (_time.GetUtcNow() - started);
            if (remaining <= TimeSpan.Zero)
            {
                return Stop($"time limit of {options.MaxWallTime} reached");
            }

            steps++;
            ChatResponse response;
            using (var wall = new CancellationTokenSource(remaining, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wall.Token))
            {
                try
                {
                    response = await chat.GetResponseAsync(messages, chatOptions, linked.Token);
                }
                catch (OperationCanceledException) when (wall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    return Stop($"time limit of {options.MaxWallTime} reached");
                }
            }

            usage += new TokenUsage(response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
            messages.AddMessages(response);
            var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0)
            {
                messages.Add(new ChatMessage(ChatRole.User,
                    "Work through the tools: make the change, then call finish with a summary. Plain text answers do nothing."));
                continue;
            }

            var results = new List<AIContent>();
            foreach (var call in calls)
            {
                var signature = call.Name + " " + ArgumentsText(call);
                repeats = signature == lastCall ? repeats + 1 : 1;
                lastCall = signature;
                if (repeats >= options.StuckRepeatLimit)
                {
                    return Stop($"stuck: {call.Name} called {repeats} times with the same arguments");
                }

                var (text, finished) = await ExecuteAsync(call, cancellationToken);
                onToolResult?.Invoke(call, text, !text.StartsWith("error: ", StringComparison.Ordinal));
                if (finished)
                {
                    return new SessionOutcome(true, text, null, usage, steps);
                }

                results.Add(new FunctionResultContent(call.CallId, text));
            }

            messages.Add(new ChatMessage(ChatRole.Tool, results));
        }
    }

    private async Task<(string Text, bool Finished)> ExecuteAsync(FunctionCallContent call, CancellationToken cancellationToken)
    {
        if (toolbox.Find(call.Name) is not { } tool)
        {
            return ($"error: there is no tool '{call.Name}'; the tools are {string.Join(", ", toolbox.Tools.Select(t => t.Name))}", false);
        }

        if (call.Exception is { } invalid)
        {
            return ($"error: the arguments of {call.Name} are not valid JSON ({invalid.Message}); send a JSON object matching its schema", false);
        }

        using var span = WorkSpans.Start(WorkSpans.Tools, "tool " + tool.Name);
        try
        {
            var text = toolbox.Redactor.Redact(await tool.RunAsync(toolbox.Redactor.Redact(ArgumentsJson(call)), cancellationToken)) ?? "";
            return (tool.Name == FinishTool.ToolName ? text : TextLimits.HeadTail(text, options.MaxToolOutputChars), tool.Name == FinishTool.ToolName);
        }
        catch (Exception ex) when (ex is ToolException or PathRefusedException)
        {
            return ("error: " + toolbox.Redactor.Redact(ex.Message), false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            Debug.WriteLine(ex);
            return ($"error: {call.Name} failed: {toolbox.Redactor.Redact(ex.Message)}", false);
        }
    }

    private static JsonElement ArgumentsJson(FunctionCallContent call) =>
        JsonSerializer.SerializeToElement(call.Arguments ?? new Dictionary<string, object?>(), AIJsonUtilities.DefaultOptions);

    private static string ArgumentsText(FunctionCallContent call)
    {
        try
        {
            return ArgumentsJson(call).GetRawText();
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            return "?";
        }
    }
}
