using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace MultiAgent.Contracts;

/// <summary>
/// Wraps, serializes and validates contract messages. Everything goes through
/// <see cref="ContractsJsonContext"/>; there is no reflection-based serialization.
/// </summary>
public static class MessageSerializer
{
    /// <summary>Wraps <paramref name="payload"/> in a new <see cref="TaskEnvelope"/> addressed to <paramref name="target"/>.</summary>
    /// <param name="payload">A registered message (see <see cref="MessageTypes"/>).</param>
    /// <param name="target">The agent the message is for.</param>
    /// <param name="correlationId">The job id.</param>
    /// <param name="priority">Scheduling priority.</param>
    /// <param name="id">Message id (the Nats-Msg-Id); a new GUID ("N" format) if null.</param>
    /// <param name="time">Clock for the timestamps; <see cref="TimeProvider.System"/> if null.</param>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not a registered message type, or an id is blank.</exception>
    public static TaskEnvelope Wrap<T>(
        T payload,
        AgentType target,
        string correlationId,
        TaskPriority priority = TaskPriority.Normal,
        string? id = null,
        TimeProvider? time = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentException.ThrowIfNullOrWhiteSpace(correlationId);
        if (id is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(id);
        }

        var type = MessageTypes.NameOf<T>();
        var now = (time ?? TimeProvider.System).GetUtcNow();
        return new TaskEnvelope(
            Id: id ?? Guid.NewGuid().ToString("N"),
            Type: type,
            AgentType: target,
            CorrelationId: correlationId,
            SchemaVersion: TaskEnvelope.CurrentSchemaVersion,
            Payload: JsonSerializer.SerializeToElement(payload, GetTypeInfo<T>()),
            Priority: priority,
            Status: AgentTaskStatus.Pending,
            CreatedAt: now,
            UpdatedAt: now,
            Attempt: 1);
    }

    /// <summary>Serializes an envelope to UTF-8 JSON.</summary>
    /// <exception cref="ArgumentException">The envelope has no payload.</exception>
    public static byte[] Serialize(TaskEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Payload.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The envelope has no payload.", nameof(envelope));
        }

        return JsonSerializer.SerializeToUtf8Bytes(envelope, ContractsJsonContext.Default.TaskEnvelope);
    }

    /// <summary>
    /// Reads and validates an envelope. The payload is not validated here; see <see cref="Unwrap{T}"/>.
    /// Unknown JSON members are ignored.
    /// </summary>
    /// <exception cref="ContractViolationException">
    /// Malformed JSON, a schema version other than <see cref="TaskEnvelope.CurrentSchemaVersion"/>,
    /// a missing or blank id/type/correlationId, a missing agentType/schemaVersion/payload, or an unknown type.
    /// </exception>
    public static TaskEnvelope Deserialize(ReadOnlySpan<byte> utf8Json)
    {
        using var document = ParseObject(utf8Json, "envelope");
        var root = document.RootElement;

        // Checked before anything else: a future version may have a different shape altogether.
        if (root.TryGetProperty("schemaVersion"u8, out var version) && version.ValueKind != JsonValueKind.Null)
        {
            if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var schemaVersion))
            {
                throw new ContractViolationException(
                    ContractViolationReason.MalformedJson,
                    $"envelope field 'schemaVersion' must be an integer, not {version.GetRawText()}.");
            }

            if (schemaVersion != TaskEnvelope.CurrentSchemaVersion)
            {
                throw new ContractViolationException(
                    ContractViolationReason.UnsupportedSchemaVersion,
                    $"schema version {schemaVersion} is not supported; this build understands {TaskEnvelope.CurrentSchemaVersion}");
            }
        }

        var envelope = (TaskEnvelope)DeserializeElement(root, ContractsJsonContext.Default.TaskEnvelope, "envelope");
        EnsureNotBlank(envelope.Id, "id");
        EnsureNotBlank(envelope.Type, "type");
        EnsureNotBlank(envelope.CorrelationId, "correlationId");
        EnsureId(envelope.Id, "id");
        EnsureId(envelope.CorrelationId, "correlationId");
        if (!MessageTypes.IsKnown(envelope.Type))
        {
            throw new ContractViolationException(
                ContractViolationReason.UnknownMessageType,
                $"envelope {envelope.Id} has unknown message type '{envelope.Type}'.");
        }

        return envelope;
    }

    /// <summary>Reads the payload of <paramref name="envelope"/> as <typeparamref name="T"/>.</summary>
    /// <exception cref="ArgumentException"><typeparamref name="T"/> is not a registered message type.</exception>
    /// <exception cref="ContractViolationException">
    /// The envelope's type is not <typeparamref name="T"/>'s (<see cref="ContractViolationReason.TypeMismatch"/>),
    /// the payload is missing/null or lacks a required field (<see cref="ContractViolationReason.MissingField"/>),
    /// or it does not fit <typeparamref name="T"/> (<see cref="ContractViolationReason.MalformedJson"/>).
    /// </exception>
    public static T Unwrap<T>(TaskEnvelope envelope)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var expected = MessageTypes.NameOf<T>();
        if (!string.Equals(envelope.Type, expected, StringComparison.Ordinal))
        {
            throw new ContractViolationException(
                ContractViolationReason.TypeMismatch,
                $"envelope {envelope.Id} carries '{envelope.Type}', not '{expected}' ({typeof(T).Name}).");
        }

        return (T)UnwrapPayload(envelope, GetTypeInfo<T>());
    }

    /// <summary>Reads the payload of <paramref name="envelope"/> as the CLR type registered for its type name.</summary>
    /// <exception cref="ContractViolationException">
    /// The type is unknown (<see cref="ContractViolationReason.UnknownMessageType"/>), or as for <see cref="Unwrap{T}"/>.
    /// </exception>
    public static object Unwrap(TaskEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.Type is null || !MessageTypes.TryGetClrType(envelope.Type, out var clrType))
        {
            throw new ContractViolationException(
                ContractViolationReason.UnknownMessageType,
                $"envelope {envelope.Id} has unknown message type '{envelope.Type}'.");
        }

        return UnwrapPayload(envelope, GetTypeInfo(clrType));
    }

    /// <summary>Serializes a bare (unwrapped) message, e.g. a request/reply body.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not registered in <see cref="ContractsJsonContext"/>.</exception>
    public static byte[] SerializeMessage<T>(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return JsonSerializer.SerializeToUtf8Bytes(message, GetTypeInfo<T>());
    }

    /// <summary>Reads a bare (unwrapped) message. Unknown JSON members are ignored.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not registered in <see cref="ContractsJsonContext"/>.</exception>
    /// <exception cref="ContractViolationException">Malformed JSON, a JSON null, or a missing required field.</exception>
    public static T DeserializeMessage<T>(ReadOnlySpan<byte> utf8Json)
    {
        var typeInfo = GetTypeInfo<T>();
        using var document = Parse(utf8Json, typeof(T).Name);
        return (T)DeserializeElement(document.RootElement, typeInfo, typeof(T).Name);
    }

    /// <summary>The source-generated metadata for <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException"><typeparamref name="T"/> is not registered in <see cref="ContractsJsonContext"/>.</exception>
    public static JsonTypeInfo<T> GetTypeInfo<T>() => (JsonTypeInfo<T>)GetTypeInfo(typeof(T));

    private static JsonTypeInfo GetTypeInfo(Type type) =>
        ContractsJsonContext.Default.GetTypeInfo(type)
        ?? throw new InvalidOperationException($"{type.FullName} is not registered in {nameof(ContractsJsonContext)}.");

    private static object UnwrapPayload(TaskEnvelope envelope, JsonTypeInfo typeInfo)
    {
        var what = $"payload of envelope {envelope.Id} ({envelope.Type})";
        if (envelope.Payload.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            throw new ContractViolationException(ContractViolationReason.MissingField, $"{what} is missing.");
        }

        return DeserializeElement(envelope.Payload, typeInfo, what);
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> utf8Json, string what)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8Json);
            var document = JsonDocument.ParseValue(ref reader);

            // ParseValue stops after one value; anything but trailing whitespace is an error.
            if (reader.Read())
            {
                document.Dispose();
                throw new JsonException("Unexpected data after the JSON value.");
            }

            return document;
        }
        catch (JsonException ex)
        {
            throw new ContractViolationException(
                ContractViolationReason.MalformedJson, $"{what} is not valid JSON: {ex.Message}", ex);
        }
    }

    private static JsonDocument ParseObject(ReadOnlySpan<byte> utf8Json, string what)
    {
        var document = Parse(utf8Json, what);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind;
            document.Dispose();
            throw new ContractViolationException(
                ContractViolationReason.MalformedJson, $"{what} must be a JSON object, not {kind}.");
        }

        return document;
    }

    /// <summary>Checks required members (so that their absence is reported as such), then deserializes.</summary>
    private static object DeserializeElement(JsonElement element, JsonTypeInfo typeInfo, string what)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            throw new ContractViolationException(ContractViolationReason.MissingField, $"{what} is null.");
        }

        if (element.ValueKind == JsonValueKind.Object && typeInfo.Kind == JsonTypeInfoKind.Object)
        {
            foreach (var property in typeInfo.Properties)
            {
                if (IsRequired(property)
                    && (!element.TryGetProperty(property.Name, out var value) || value.ValueKind == JsonValueKind.Null))
                {
                    throw new ContractViolationException(
                        ContractViolationReason.MissingField, $"{what} is missing required field '{property.Name}'.");
                }
            }
        }

        try
        {
            return JsonSerializer.Deserialize(element, typeInfo)
                ?? throw new ContractViolationException(ContractViolationReason.MissingField, $"{what} is null.");
        }
        catch (JsonException ex)
        {
            throw new ContractViolationException(
                ContractViolationReason.MalformedJson, $"{what} does not match the contract: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A member is required when marked so, or when it binds to a constructor parameter without a default value
    /// (see <see cref="System.Text.Json.JsonSerializerOptions.RespectRequiredConstructorParameters"/>).
    /// </summary>
    private static bool IsRequired(JsonPropertyInfo property) =>
        property.IsRequired || property.AssociatedParameter is { HasDefaultValue: false };

    /// <summary>
    /// Ids end up in NATS subjects (the job id), message ids, headers and PostgreSQL text: a subject token of at most
    /// <see cref="TaskEnvelope.MaxIdLength"/> characters with no control character (PostgreSQL refuses NUL).
    /// </summary>
    private static void EnsureId(string value, string field)
    {
        if (value.Length > TaskEnvelope.MaxIdLength || !Subjects.IsValidToken(value))
        {
            throw new ContractViolationException(
                ContractViolationReason.MalformedJson,
                $"envelope field '{field}' must be at most {TaskEnvelope.MaxIdLength} characters with no '.', '*', '>', " +
                "whitespace or control character.");
        }
    }

    private static void EnsureNotBlank(string value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ContractViolationException(
                ContractViolationReason.MissingField, $"envelope field '{field}' is blank.");
        }
    }
}
