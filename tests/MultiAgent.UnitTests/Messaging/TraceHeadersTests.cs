using System.Diagnostics;
using MultiAgent.Messaging;
using NATS.Client.Core;

namespace MultiAgent.UnitTests.Messaging;

/// <summary>One trace per job: its trace id follows from its id, and a parent from another trace is not taken.</summary>
public sealed class TraceHeadersTests
{
    [Fact]
    public void A_jobs_trace_id_follows_from_its_id_and_differs_between_jobs()
    {
        Assert.Equal(TraceHeaders.TraceIdOf("job-1"), TraceHeaders.TraceIdOf("job-1"));
        Assert.NotEqual(TraceHeaders.TraceIdOf("job-1"), TraceHeaders.TraceIdOf("job-2"));
        Assert.Equal(TraceHeaders.TraceIdOf("job-1"), TraceHeaders.RootOf("job-1").TraceId);
        Assert.True(TraceHeaders.RootOf("job-1").TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
    }

    [Fact]
    public void Without_a_current_span_of_the_job_the_headers_carry_the_jobs_root_and_read_back_as_it()
    {
        var headers = TraceHeaders.ForJob("job-1");

        var parent = TraceHeaders.ParentOf(headers);

        Assert.Equal(TraceHeaders.RootOf("job-1").TraceId, parent.TraceId);
        Assert.Equal(TraceHeaders.RootOf("job-1").SpanId, parent.SpanId);
        Assert.Equal(TraceHeaders.RootOf("job-1"), TraceHeaders.ParentFor("job-1", parent));
    }

    [Fact]
    public void A_span_of_the_jobs_trace_is_the_parent_and_a_span_of_another_trace_is_not()
    {
        using var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("test");

        using (var inJob = source.StartActivity("step", ActivityKind.Internal, TraceHeaders.RootOf("job-1")))
        {
            var headers = TraceHeaders.ForJob("job-1");
            Assert.Equal(inJob!.SpanId, TraceHeaders.ParentOf(headers).SpanId);
        }

        using (source.StartActivity("unrelated"))
        {
            var headers = TraceHeaders.ForJob("job-1");
            Assert.Equal(TraceHeaders.RootOf("job-1").SpanId, TraceHeaders.ParentOf(headers).SpanId);
            Assert.Equal(TraceHeaders.RootOf("job-1"), TraceHeaders.ParentFor("job-1", Activity.Current!.Context));
        }

        Assert.Equal(default, TraceHeaders.ParentOf(new NatsHeaders { [TraceHeaders.TraceParent] = "not-a-traceparent" }));
    }
}
