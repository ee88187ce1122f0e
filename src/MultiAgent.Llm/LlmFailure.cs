using System.ClientModel;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Anthropic.Exceptions;
using MultiAgent.Contracts;
using MultiAgent.Llm.Http;
using MultiAgent.Secrets;

namespace MultiAgent.Llm;

/// <summary>
/// Turns a failed model call into a classified failure (<see cref="IClassifiedFailure"/>), so that the agent runtime
/// retries what another attempt can fix and fails the rest at once:
/// <list type="bullet">
/// <item>Retryable (<see cref="RetryableLlmException"/>, with the provider's Retry-After): rate limits after the
/// pipeline's retries, 408/5xx, timeouts, unreachable provider, an unreadable response.</item>
/// <item>Non-retryable (<see cref="NonRetryableLlmException"/>): 401/403 (credentials), 400/413 exceeding the
/// context, 404 (model or deployment not found), any other 4xx.</item>
/// </list>
/// Messages name the provider's reason with secrets masked.
/// </summary>
public static class LlmFailure
{
    /// <summary>
    /// The classified exception for <paramref name="exception"/>, or null when it is not a model-call failure
    /// (e.g. a cancellation, a failure that classifies itself, or a bug in the caller) and should propagate as it is.
    /// </summary>
    /// <param name="exception">What the provider client threw.</param>
    /// <param name="model">The model, for the message.</param>
    /// <param name="redactor">Masks secrets in the provider's message.</param>
    public static Exception? Map(Exception exception, string? model = null, SecretRedactor? redactor = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (exception is IClassifiedFailure or OperationCanceledException)
        {
            return null;
        }

        if (Find<LlmHttpException>(exception) is { } http)
        {
            return FromHttp(http, model, redactor);
        }

        // The pipeline throws before an SDK sees an error status; these cover a client used without it.
        if (Find<ClientResultException>(exception) is { Status: > 0 } clientResult)
        {
            var body = clientResult.GetRawResponse()?.Content?.ToString();
            return FromStatus((HttpStatusCode)clientResult.Status, body, clientResult, model, redactor);
        }

        // Anthropic's exception types only when its SDK threw: compiling code that names them loads its assembly (11 MB)
        // into an agent that talks to another provider.
        if (Find(exception, e => e.GetType().Assembly.GetName().Name == AnthropicAssembly) is not null
            && FromAnthropic(exception, model, redactor) is { } anthropic)
        {
            return anthropic;
        }

        if (Find<JsonException>(exception) is not null)
        {
            return Unreadable(exception, redactor);
        }

        if (Find<HttpRequestException>(exception) is { } request)
        {
            return request.StatusCode is { } status
                ? FromStatus(status, null, request, model, redactor)
                : new RetryableLlmException($"The model provider could not be reached: {Redact(redactor, request.Message)}", exception);
        }

        return null;
    }

    private const string AnthropicAssembly = "Anthropic";

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Exception? FromAnthropic(Exception exception, string? model, SecretRedactor? redactor) =>
        Find<AnthropicApiException>(exception) is { } api
            ? FromStatus(api.StatusCode, api.ResponseBody, api, model, redactor)
            : Find<AnthropicInvalidDataException>(exception) is not null
                ? Unreadable(exception, redactor)
                : null;

    private static RetryableLlmException Unreadable(Exception exception, SecretRedactor? redactor) =>
        new($"The model provider's response could not be read ({Redact(redactor, exception.Message)}).", exception);

    private static Exception FromStatus(HttpStatusCode status, string? body, Exception inner, string? model, SecretRedactor? redactor)
    {
        var (code, message) = LlmResilienceHandler.ProviderError(body);
        var failure = LlmResilienceHandler.Classify(status, code, message, body);
        return FromHttp(
            new LlmHttpException(failure, $"HTTP {(int)status}", status, null, 1, code, message ?? inner.Message, inner),
            model, redactor);
    }

    private static Exception FromHttp(LlmHttpException http, string? model, SecretRedactor? redactor)
    {
        var status = http.StatusCode is { } code ? $" (HTTP {(int)code})" : "";
        var reason = Redact(redactor, http.ProviderMessage) is { Length: > 0 } said ? $": {said}" : "";
        var modelName = string.IsNullOrWhiteSpace(model) ? "the model" : $"model '{model}'";
        var detail = Redact(redactor, http.Message);
        return http.Failure switch
        {
            LlmHttpFailure.RateLimited => new RetryableLlmException(
                $"The model provider is rate-limiting requests{status}; gave up after {http.Attempts} attempts{reason}", http, http.RetryAfter),
            LlmHttpFailure.ServerError => new RetryableLlmException(
                $"The model provider failed{status} after {http.Attempts} attempts{reason}", http, http.RetryAfter),
            LlmHttpFailure.Timeout => new RetryableLlmException(
                $"The model provider did not answer in time: {detail}", http),
            LlmHttpFailure.Connection => new RetryableLlmException(
                $"The model provider could not be reached: {detail}", http),
            LlmHttpFailure.Unauthorized => new NonRetryableLlmException(
                $"The model provider rejected the credentials{status}{reason}. Check the API key (MultiAgent:Llm:ApiKey).", http),
            LlmHttpFailure.ContextLengthExceeded => new NonRetryableLlmException(
                $"The request exceeds the model's context window ({modelName}){status}{reason}", http),
            LlmHttpFailure.NotFound => new NonRetryableLlmException(
                $"The model provider does not know {modelName}, or the endpoint is wrong{status}{reason}. Check MultiAgent:Llm:Model and Endpoint.", http),
            _ => new NonRetryableLlmException($"The model provider refused the request{status}{reason}", http),
        };
    }

    private static string? Redact(SecretRedactor? redactor, string? text) => redactor is null ? text : redactor.Redact(text);

    private static T? Find<T>(Exception exception)
        where T : Exception =>
        Find(exception, e => e is T) as T;

    // The first exception in the chain (inner exceptions, and each of an AggregateException's) that matches.
    private static Exception? Find(Exception exception, Func<Exception, bool> match)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (match(current))
            {
                return current;
            }

            if (current is AggregateException { InnerExceptions.Count: > 0 } aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (Find(inner, match) is { } found)
                    {
                        return found;
                    }
                }
            }
        }

        return null;
    }
}
