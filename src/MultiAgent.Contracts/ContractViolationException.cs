namespace MultiAgent.Contracts;

/// <summary>A message on the wire does not honour the contract; <see cref="Reason"/> says how.</summary>
public sealed class ContractViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ContractViolationException(ContractViolationReason reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>How the contract was violated.</summary>
    public ContractViolationReason Reason { get; }
}
