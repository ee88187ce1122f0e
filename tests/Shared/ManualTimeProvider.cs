namespace MultiAgent.Testing;

/// <summary>A clock that only moves when told to, so that stored timestamps can be asserted exactly.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public DateTimeOffset Advance(TimeSpan by) => _now += by;
}
