using Microsoft.Extensions.Configuration;

namespace MultiAgent.Hosting.Restarts;

/// <summary>
/// How the AppHost brings back a resource that exited without being asked to (<c>MultiAgent:Restart</c>):
/// after <see cref="Delay"/>, doubled for every consecutive run shorter than <see cref="MinUptime"/> up to
/// <see cref="MaxDelay"/>; after <see cref="MaxRestarts"/> such short runs in a row it is left stopped ("crash loop").
/// </summary>
public sealed record RestartPolicyOptions
{
    public const string SectionName = "MultiAgent:Restart";

    /// <summary>False: nothing is restarted (as before the policy existed).</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Wait before the first restart after a run that lasted at least <see cref="MinUptime"/>.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(4);

    /// <summary>The longest wait before a restart, however many short runs came before.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A run shorter than this counts towards <see cref="MaxRestarts"/>; a longer one starts the count again.</summary>
    public TimeSpan MinUptime { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Consecutive short runs after which the resource is left stopped.</summary>
    public int MaxRestarts { get; init; } = 10;

    /// <summary>Reads <see cref="SectionName"/>; refuses values that cannot work, naming the setting.</summary>
    public static RestartPolicyOptions From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.GetSection(SectionName).Get<RestartPolicyOptions>() ?? new RestartPolicyOptions();
        Require(options.Delay > TimeSpan.Zero, nameof(Delay), "must be positive");
        Require(options.MaxDelay >= options.Delay, nameof(MaxDelay), "must be at least Delay");
        Require(options.MinUptime >= TimeSpan.Zero, nameof(MinUptime), "must not be negative");
        Require(options.MaxRestarts >= 1, nameof(MaxRestarts), "must be at least 1");
        return options;
    }

    private static void Require(bool condition, string setting, string rule)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{SectionName}:{setting} {rule}.");
        }
    }
}
