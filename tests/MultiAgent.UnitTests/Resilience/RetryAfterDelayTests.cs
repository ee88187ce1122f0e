using System.Globalization;
using System.Net;
using MultiAgent.Resilience;
using Polly;
using Polly.Retry;

namespace MultiAgent.UnitTests.Resilience;

/// <summary>The Retry-After reader and the delay generator the model and GitHub pipelines share.</summary>
public sealed class RetryAfterDelayTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static TimeSpan? Parse(string? retryAfter = null, string? retryAfterMs = null) =>
        RetryAfterHeader.Parse(
            name => name switch
            {
                RetryAfterHeader.Name => retryAfter,
                RetryAfterHeader.MillisecondsName => retryAfterMs,
                _ => null,
            },
            Now);

    [Fact]
    public void Retry_After_is_read_as_seconds_a_date_or_milliseconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), Parse("7"));
        Assert.Equal(TimeSpan.Zero, Parse("-3"));
        Assert.Equal(TimeSpan.FromSeconds(90), Parse(Now.AddSeconds(90).ToString("r", CultureInfo.InvariantCulture)));
        Assert.Equal(TimeSpan.Zero, Parse(Now.AddMinutes(-5).ToString("r", CultureInfo.InvariantCulture)));
        Assert.Equal(TimeSpan.FromMilliseconds(1500.5), Parse("10", "1500.5"));
        Assert.Equal(TimeSpan.FromSeconds(10), Parse("10", "soon"));
        Assert.Null(Parse("whenever"));
        Assert.Null(Parse());
    }

    [Fact]
    public void An_HTTP_response_s_headers_are_read_too()
    {
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.TryAddWithoutValidation("Retry-After", "3");
        using var milliseconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        milliseconds.Headers.TryAddWithoutValidation("retry-after-ms", "250");
        using var none = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        Assert.Equal(TimeSpan.FromSeconds(3), RetryAfterHeader.Of(seconds, Now));
        Assert.Equal(TimeSpan.FromMilliseconds(250), RetryAfterHeader.Of(milliseconds, Now));
        Assert.Null(RetryAfterHeader.Of(none, Now));
    }

    [Fact]
    public void Without_Retry_After_the_back_off_doubles_with_equal_jitter_up_to_the_cap()
    {
        var delay = new RetryAfterDelay { BaseDelay = TimeSpan.FromSeconds(1) };

        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(delay.Next(1, null), TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1));
            Assert.InRange(delay.Next(3, null), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));
            Assert.InRange(delay.Next(12, null), RetryAfterDelay.DefaultMaxBackoff / 2, RetryAfterDelay.DefaultMaxBackoff);
        }
    }

    [Fact]
    public void Spread_jitter_is_within_a_fifth_of_the_back_off_and_capped()
    {
        var delay = new RetryAfterDelay { BaseDelay = TimeSpan.FromSeconds(1), Jitter = BackoffJitter.Spread, MaxBackoff = TimeSpan.FromSeconds(5) };

        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(delay.Next(2, null), TimeSpan.FromSeconds(1.6), TimeSpan.FromSeconds(2.4));
            Assert.Equal(TimeSpan.FromSeconds(5), delay.Next(10, null));
        }
    }

    [Fact]
    public void A_Retry_After_is_honoured_with_its_jitter_margin_and_floor()
    {
        var jittered = new RetryAfterDelay { BaseDelay = TimeSpan.FromSeconds(1), RetryAfterJitter = 0.1 };
        var margin = new RetryAfterDelay { BaseDelay = TimeSpan.FromSeconds(1), RetryAfterMargin = TimeSpan.FromMilliseconds(250) };
        var floored = new RetryAfterDelay { BaseDelay = TimeSpan.FromSeconds(10), Jitter = BackoffJitter.Spread, RetryAfterAtLeastBackoff = true };

        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(jittered.Next(5, TimeSpan.FromSeconds(20)), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(22));
            Assert.Equal(TimeSpan.Zero, jittered.Next(5, TimeSpan.Zero));
            Assert.Equal(TimeSpan.FromMilliseconds(1250), margin.Next(3, TimeSpan.FromSeconds(1)));
            Assert.InRange(floored.Next(1, TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12));
            Assert.Equal(TimeSpan.FromSeconds(25), floored.Next(1, TimeSpan.FromSeconds(25)));
        }
    }

    [Fact]
    public async Task The_generator_reads_the_wait_from_the_outcome_and_counts_retries_from_one()
    {
        var delay = new RetryAfterDelay { BaseDelay = TimeSpan.FromSeconds(1), Jitter = BackoffJitter.Spread, MaxBackoff = TimeSpan.FromMinutes(5) };
        var generator = delay.Generator<int>(outcome => outcome.Result == 429 ? TimeSpan.FromSeconds(3) : null);
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            var withWait = await generator(new RetryDelayGeneratorArguments<int>(context, Outcome.FromResult(429), 0));
            var backoff = await generator(new RetryDelayGeneratorArguments<int>(context, Outcome.FromResult(503), 2));

            Assert.Equal(TimeSpan.FromSeconds(3), withWait);
            Assert.InRange(backoff!.Value, TimeSpan.FromSeconds(3.2), TimeSpan.FromSeconds(4.8)); // retry 3: 4 s ± 20%
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    [Fact]
    public async Task In_a_pipeline_the_retry_waits_as_long_as_Retry_After_says()
    {
        var delay = new RetryAfterDelay { BaseDelay = TimeSpan.FromMinutes(1) };
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 1,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests),
                DelayGenerator = delay.Generator<HttpResponseMessage>(outcome => RetryAfterHeader.Of(outcome.Result!, DateTimeOffset.UtcNow)),
            })
            .Build();
        var sent = new List<DateTimeOffset>();

        using var response = await pipeline.ExecuteAsync(_ =>
        {
            sent.Add(DateTimeOffset.UtcNow);
            var answer = new HttpResponseMessage(sent.Count == 1 ? HttpStatusCode.TooManyRequests : HttpStatusCode.OK);
            answer.Headers.TryAddWithoutValidation("retry-after-ms", "200");
            return ValueTask.FromResult(answer);
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, sent.Count);
        Assert.InRange(sent[1] - sent[0], TimeSpan.FromMilliseconds(180), TimeSpan.FromSeconds(30));
    }
}
