using System.Globalization;

namespace Agents.Coder.Sandbox;

/// <summary>
/// The programs the sandbox is built from, found in the system folders only (never through the agent's PATH, which a
/// user's folder could shadow), and who the agent runs as.
/// </summary>
public sealed record SystemTools(string? Bubblewrap, string? Setpriv, string? Prlimit, string? Unshare, string? Chown, string? Find)
{
    private static readonly string[] SystemFolders = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];

    /// <summary>The tools installed on this machine.</summary>
    public static SystemTools Discover() =>
        new(Locate("bwrap"), Locate("setpriv"), Locate("prlimit"), Locate("unshare"), Locate("chown"), Locate("find"));

    /// <summary>The first system folder's <paramref name="name"/>, or null.</summary>
    public static string? Locate(string name) =>
        SystemFolders.Select(folder => Path.Combine(folder, name)).FirstOrDefault(File.Exists);

    /// <summary>The real user and group id of this process (from <c>/proc/self/status</c>).</summary>
    public static (int UserId, int GroupId) CurrentIds()
    {
        var uid = 0;
        var gid = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                uid = FirstNumber(line);
            }
            else if (line.StartsWith("Gid:", StringComparison.Ordinal))
            {
                gid = FirstNumber(line);
            }
        }

        return (uid, gid);

        static int FirstNumber(string line) =>
            int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
