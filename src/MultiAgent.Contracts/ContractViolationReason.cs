namespace MultiAgent.Contracts;

/// <summary>Why a message was rejected by <see cref="MessageSerializer"/>.</summary>
public enum ContractViolationReason
{
    /// <summary>Not valid JSON, or JSON of the wrong shape (wrong value kinds, unknown enum names, trailing data).</summary>
    MalformedJson,

    /// <summary>The envelope's schema version is not <see cref="TaskEnvelope.CurrentSchemaVersion"/>.</summary>
    UnsupportedSchemaVersion,

    /// <summary>The envelope's type is not one of <see cref="MessageTypes"/>.</summary>
    UnknownMessageType,

    /// <summary>The envelope's type is known but is not the one the caller asked for.</summary>
    TypeMismatch,

    /// <summary>A required field is absent, null or blank.</summary>
    MissingField,
}
