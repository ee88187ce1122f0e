namespace MultiAgent.Messaging;

/// <summary>A message is larger than <see cref="TaskBusOptions.MaxPayloadBytes"/> and was not published.</summary>
public sealed class PayloadTooLargeException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public PayloadTooLargeException(string what, int sizeBytes, int maxBytes)
        : base($"{what} is {sizeBytes} bytes, more than the {maxBytes} bytes the task bus allows (MultiAgent:TaskBus:MaxPayloadBytes). " +
               "Move large content (diffs, logs) out of the message and refer to it instead.")
    {
        SizeBytes = sizeBytes;
        MaxBytes = maxBytes;
    }

    /// <summary>Size of the serialized message.</summary>
    public int SizeBytes { get; }

    /// <summary>The configured limit.</summary>
    public int MaxBytes { get; }
}
