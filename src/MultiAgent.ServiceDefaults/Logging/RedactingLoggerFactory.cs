using System.Collections;
using Microsoft.Extensions.Logging;
using MultiAgent.Secrets;

namespace MultiAgent.ServiceDefaults.Logging;

/// <summary>
/// A logger factory whose loggers pass every entry through the <see cref="SecretRedactor"/> before any provider sees
/// it (console, OpenTelemetry, anything added later): the formatted message, each structured value's text, scopes'
/// text, and an exception whose text holds a secret (replaced by a <see cref="RedactedException"/>). Entries without a
/// secret reach the providers unchanged.
/// </summary>
public sealed class RedactingLoggerFactory(ILoggerFactory inner, SecretRedactor redactor) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner, SecretRedactor redactor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull =>
            state is IReadOnlyList<KeyValuePair<string, object?>> values && RedactedState.Of(values, state.ToString(), redactor) is { } redacted
                ? inner.BeginScope(redacted)
                : state is string text && redactor.Redact(text) is { } masked && masked != text
                    ? inner.BeginScope(masked)
                    : inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, null);
            var exceptionText = exception?.ToString();
            var maskedText = redactor.Redact(exceptionText);
            var safeException = exception is not null && maskedText != exceptionText
                ? new RedactedException(exception, redactor.Redact(exception.Message) ?? "", maskedText ?? "")
                : exception;
            var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
            if (RedactedState.Of(values, message, redactor) is { } redacted)
            {
                inner.Log(logLevel, eventId, redacted, safeException, static (s, _) => s.ToString());
            }
            else if (!ReferenceEquals(safeException, exception))
            {
                inner.Log(logLevel, eventId, state, safeException, (s, _) => formatter(s, exception));
            }
            else
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }

    /// <summary>A log entry's structured values and message with secrets masked.</summary>
    private sealed class RedactedState(IReadOnlyList<KeyValuePair<string, object?>> values, string message)
        : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => values.Count;

        public KeyValuePair<string, object?> this[int index] => values[index];

        /// <summary>The redacted copy, or null when neither the message nor any value holds a secret.</summary>
        public static RedactedState? Of(IReadOnlyList<KeyValuePair<string, object?>> values, string? message, SecretRedactor redactor)
        {
            var maskedMessage = redactor.Redact(message);
            KeyValuePair<string, object?>[]? copy = null;
            for (var i = 0; i < values.Count; i++)
            {
                var (key, value) = values[i];
                // The template is the code's own text, never a secret; values are what may carry one.
                if (key != "{OriginalFormat}" && value is not null and not ValueType && value.ToString() is { } text &&
                    redactor.Redact(text) is { } masked && masked != text)
                {
                    copy ??= [.. values];
                    copy[i] = new(key, masked);
                }
            }

            return copy is not null || maskedMessage != message ? new RedactedState(copy ?? values, maskedMessage ?? "") : null;
        }

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }
}

/// <summary>Stands for an exception whose text held a secret: the same type name, message and stack trace, masked.</summary>
/// <param name="original">The exception logged.</param>
/// <param name="maskedMessage">Its message, secrets masked.</param>
/// <param name="maskedText">Its whole text (<see cref="Exception.ToString"/>), secrets masked.</param>
public sealed class RedactedException(Exception original, string maskedMessage, string maskedText)
    : Exception($"{original.GetType().FullName}: {maskedMessage}")
{
    /// <summary>The original exception's type (its text is not kept).</summary>
    public Type OriginalType { get; } = original.GetType();

    public override string? StackTrace => original.StackTrace;

    public override string ToString() => maskedText;
}
