using System.Globalization;

namespace MultiAgent.Resilience;

/// <summary>How long a server asked to wait before the next request.</summary>
public static class RetryAfterHeader
{
    /// <summary>The standard header: whole seconds or an HTTP date.</summary>
    public const string Name = "Retry-After";

    /// <summary>OpenAI's (and Azure OpenAI's) header: milliseconds, possibly fractional.</summary>
    public const string MillisecondsName = "retry-after-ms";

    /// <summary>
    /// The wait named by <c>retry-after-ms</c> if it is a non-negative number, else by <c>Retry-After</c> as seconds
    /// (a negative number counts as 0) or as an HTTP date (one in the past counts as 0); null when neither says.
    /// </summary>
    /// <param name="header">Reads one header's value by name (case-insensitive), or null when it is absent.</param>
    /// <param name="now">The current time, for a date.</param>
    public static TimeSpan? Parse(Func<string, string?> header, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (double.TryParse(header(MillisecondsName)?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            && milliseconds >= 0 && milliseconds <= TimeSpan.MaxValue.TotalMilliseconds / 2)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        var value = header(Name)?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(Math.Max(0, seconds));
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at > now ? at - now : TimeSpan.Zero;
        }

        return null;
    }

    /// <summary>The wait an HTTP response asks for (see <see cref="Parse"/>).</summary>
    public static TimeSpan? Of(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Parse(name => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null, now);
    }
}
