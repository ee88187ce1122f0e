namespace MultiAgent.IntegrationTests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes: for state that changes in other processes.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(
        Func<CancellationToken, Task<T>> probe, Func<T, bool> until, TimeSpan timeout, string because)
    {
        using var deadline = new CancellationTokenSource(timeout);
        T last = default!;
        Exception? lastError = null;
        while (!deadline.IsCancellationRequested)
        {
            try
            {
                last = await probe(deadline.Token);
                if (until(last))
                {
                    return last;
                }
            }
            catch (Exception ex) when (!deadline.IsCancellationRequested)
            {
                lastError = ex;
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException(
            $"Waited {timeout.TotalSeconds:0}s for {because}; last value: {last?.ToString() ?? "none"}" +
            (lastError is null ? "" : $"; last error: {lastError.Message}"));
    }
}
