namespace MultiAgent.Repositories.Git;

/// <summary>How <see cref="GitCli"/> finds and bounds git; bound from <see cref="SectionName"/>.</summary>
public sealed class GitCliOptions
{
    public const string SectionName = "MultiAgent:Git";

    /// <summary>The git executable: a name looked up on PATH, or a full path.</summary>
    public string ExecutablePath { get; set; } = "git";

    /// <summary>How long one git command may run unless the caller says otherwise (clones of large repositories take a while).</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>At most this many characters of git's error output go into an exception message (the end is kept).</summary>
    public int MaxErrorLength { get; set; } = 4000;
}
