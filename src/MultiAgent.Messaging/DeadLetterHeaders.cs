namespace MultiAgent.Messaging;

/// <summary>Headers of a message on the dead-letter stream.</summary>
public static class DeadLetterHeaders
{
    /// <summary>Why the task was given up on.</summary>
    public const string Reason = "MultiAgent-Reason";

    /// <summary>The task id, if known.</summary>
    public const string TaskId = "MultiAgent-Task-Id";

    /// <summary>The job id, if known.</summary>
    public const string JobId = "MultiAgent-Job-Id";

    /// <summary>The task subject the message came from.</summary>
    public const string OriginalSubject = "MultiAgent-Original-Subject";

    /// <summary>Size in bytes of the original message; present only when the data was truncated.</summary>
    public const string OriginalSize = "MultiAgent-Original-Size";
}
