using System.Globalization;
using Agents.Coder.Safety;

namespace Agents.Coder.Sandbox;

/// <summary>
/// When the agent is root and the check runs as uid 65534: hands the workspace (everything but <c>.git</c>) to uid
/// 65534 for the check, and back to the agent afterwards, so that what the check wrote belongs to the agent again and
/// the agent's git (which refuses a repository another user owns) keeps working. Symbolic links are changed themselves,
/// never followed (<c>chown -h</c>, and <c>-R</c> without <c>-L</c>), so a link the check plants cannot hand a file
/// outside the workspace to anyone.
/// </summary>
internal static class WorkspaceHandover
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    /// <summary>Null when uid 65534 can reach the workspace; else why not (a folder above it that others cannot enter).</summary>
    public static string? Unreachable(string workspace)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        for (var folder = Path.GetDirectoryName(workspace); !string.IsNullOrEmpty(folder); folder = Path.GetDirectoryName(folder))
        {
            if (!File.GetUnixFileMode(folder).HasFlag(UnixFileMode.OtherExecute))
            {
                return $"the folder {folder} above the workspace cannot be entered by uid {CheckSandboxOptions.SandboxUserId} (it lacks o+x), "
                    + "so the sandboxed check cannot reach the workspace; put the workspaces (MultiAgent:Workspaces:Root) where it can";
            }
        }

        return null;
    }

    /// <summary>Gives the workspace but its <c>.git</c> to uid/gid 65534. Null on success, else chown's complaint.</summary>
    public static async Task<string?> GiveAsync(SystemTools tools, string workspace, CancellationToken cancellationToken)
    {
        var id = CheckSandboxOptions.SandboxUserId.ToString(CultureInfo.InvariantCulture);
        var owner = id + ":" + id;
        return await RunAsync(tools.Chown!, ["-h", owner, "--", workspace], workspace, cancellationToken)
            ?? await RunAsync(
                tools.Find!, [workspace, "-mindepth", "1", "-maxdepth", "1", "!", "-name", ".git", "-exec", tools.Chown!, "-R", "-P", "-h", owner, "--", "{}", "+"],
                workspace, cancellationToken);
    }

    /// <summary>Gives the whole workspace back to the agent (<paramref name="userId"/>:<paramref name="groupId"/>). Null on success.</summary>
    public static Task<string?> TakeBackAsync(SystemTools tools, string workspace, int userId, int groupId, CancellationToken cancellationToken) =>
        RunAsync(tools.Chown!, ["-R", "-P", "-h", string.Create(CultureInfo.InvariantCulture, $"{userId}:{groupId}"), "--", workspace], workspace, cancellationToken);

    private static async Task<string?> RunAsync(string program, IReadOnlyList<string> arguments, string workspace, CancellationToken cancellationToken)
    {
        var result = await CommandRunner.RunProcessAsync(
            program, arguments, new Dictionary<string, string> { ["LANG"] = "C.UTF-8", ["PATH"] = "/usr/bin:/bin" }, workspace, Limit, 4000, cancellationToken);
        return result.Succeeded ? null : $"{Path.GetFileName(program)} on the workspace failed: {result.Output.Trim()}";
    }
}
