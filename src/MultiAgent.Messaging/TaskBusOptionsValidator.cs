using Microsoft.Extensions.Options;

namespace MultiAgent.Messaging;

/// <summary>Rejects <see cref="TaskBusOptions"/> the server or the runtime could not work with.</summary>
public sealed class TaskBusOptionsValidator : IValidateOptions<TaskBusOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TaskBusOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.AckWait < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{nameof(TaskBusOptions.AckWait)} must be at least 1 second.");
        }

        if (options.MaxAttempts < 1)
        {
            failures.Add($"{nameof(TaskBusOptions.MaxAttempts)} must be at least 1.");
        }

        if (options.MaxDeliveries < options.MaxAttempts)
        {
            failures.Add($"{nameof(TaskBusOptions.MaxDeliveries)} must be at least {nameof(TaskBusOptions.MaxAttempts)}.");
        }

        if (options.RetryDelays.Any(delay => delay < TimeSpan.Zero))
        {
            failures.Add($"{nameof(TaskBusOptions.RetryDelays)} must not contain negative delays.");
        }

        if (options.DuplicateWindow < TimeSpan.FromSeconds(1))
        {
            failures.Add($"{nameof(TaskBusOptions.DuplicateWindow)} must be at least 1 second.");
        }

        if (options.MaxPayloadBytes < 1024)
        {
            failures.Add($"{nameof(TaskBusOptions.MaxPayloadBytes)} must be at least 1024.");
        }

        if (options.StreamMaxBytes < 64 * 1024)
        {
            failures.Add($"{nameof(TaskBusOptions.StreamMaxBytes)} must be at least 65536.");
        }

        if (options.MaxAckPending < 1)
        {
            failures.Add($"{nameof(TaskBusOptions.MaxAckPending)} must be at least 1.");
        }

        if (options.PullExpiry < TimeSpan.FromSeconds(2) || options.PullExpiry > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{nameof(TaskBusOptions.PullExpiry)} must be between 00:00:02 and 00:05:00.");
        }

        if (options.PullBatchSize is < 1 or > 16)
        {
            failures.Add($"{nameof(TaskBusOptions.PullBatchSize)} must be between 1 and 16.");
        }

        if (options.StreamReplicas is < 1 or > 5)
        {
            failures.Add($"{nameof(TaskBusOptions.StreamReplicas)} must be between 1 and 5.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
