using System.Globalization;
using System.Text.RegularExpressions;
using Octo = Octokit;

namespace MultiAgent.Repositories.GitHub;

/// <summary>Turns what Octokit and the HTTP pipeline throw into <see cref="RepositoryHostException"/>s, without secrets.</summary>
internal static partial class GitHubErrors
{
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromMinutes(1);

    public static RepositoryHostException Map(Exception exception, string operation, GitHubTokenRedactor redactor, TimeProvider time)
    {
        var (kind, detail, retryAfter) = Classify(exception, time.GetUtcNow());
        var message = redactor.Redact($"GitHub: {operation} failed: {detail}");

        // The original exception goes along as the inner one only when nothing in it shows the token
        // (Octokit's ToString() includes the response body, which a misbehaving server could fill with anything).
        var inner = exception is RepositoryHostException { InnerException: { } pipelineInner } ? pipelineInner : exception;
        if (inner is RepositoryHostException || redactor.Contains(inner.ToString()))
        {
            inner = null;
        }

        return new RepositoryHostException(kind, message, inner, retryAfter);
    }

    private static (RepositoryErrorKind Kind, string Detail, TimeSpan? RetryAfter) Classify(Exception exception, DateTimeOffset now)
    {
        switch (exception)
        {
            case RepositoryHostException host:
                return (host.Kind, host.Message, host.RetryAfter);

            case Octo.RateLimitExceededException rate:
                var untilReset = rate.Reset - now;
                return (RepositoryErrorKind.RateLimited, Describe(rate), untilReset > TimeSpan.Zero ? untilReset : TimeSpan.Zero);

            case Octo.AbuseException abuse:
                return (RepositoryErrorKind.RateLimited, Describe(abuse),
                    abuse.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : RetryAfter(abuse, now));

            case Octo.SecondaryRateLimitExceededException secondary:
                return (RepositoryErrorKind.RateLimited, Describe(secondary), RetryAfter(secondary, now));

            case Octo.ApiException api:
                return ClassifyStatus(api, now);

            case HttpRequestException http:
                return (RepositoryErrorKind.Unavailable, $"the GitHub API could not be reached ({http.HttpRequestError}): {http.Message}", null);

            case OperationCanceledException or TimeoutException:
                return (RepositoryErrorKind.Unavailable, "the GitHub API did not answer in time", null);

            default:
                return (RepositoryErrorKind.Unavailable, $"unexpected {exception.GetType().Name}: {exception.Message}", null);
        }
    }

    private static (RepositoryErrorKind Kind, string Detail, TimeSpan? RetryAfter) ClassifyStatus(Octo.ApiException api, DateTimeOffset now)
    {
        var status = (int)api.StatusCode;
        var detail = Describe(api);
        var text = detail;
        return status switch
        {
            401 => (RepositoryErrorKind.Unauthorized, detail + " (check MultiAgent:GitHub:Token)", null),
            403 when IsProtectedBranch(text) => (RepositoryErrorKind.ProtectedBranch, detail, null),
            403 => (RepositoryErrorKind.PermissionDenied, detail, null),
            404 => (RepositoryErrorKind.NotFound, detail, null),
            405 when IsProtectedBranch(text) => (RepositoryErrorKind.ProtectedBranch, detail, null),
            405 => (RepositoryErrorKind.MergeConflict, detail, null),
            409 when HeadModified().IsMatch(text) => (RepositoryErrorKind.HeadChanged, detail, null),
            409 => (RepositoryErrorKind.MergeConflict, detail, null),
            422 => (RepositoryErrorKind.Validation, detail, null),
            429 => (RepositoryErrorKind.RateLimited, detail, RetryAfter(api, now)),
            408 or >= 500 => (RepositoryErrorKind.Unavailable, detail, null),
            _ => (RepositoryErrorKind.Validation, detail, null),
        };
    }

    /// <summary>Branch protection and rulesets refusing a merge (GitHub words these several ways).</summary>
    public static bool IsProtectedBranch(string text) => ProtectedBranch().IsMatch(text);

    /// <summary>"HTTP 422: Validation Failed (No commits between main and agent/x)".</summary>
    public static string Describe(Octo.ApiException api)
    {
        var status = (int)api.StatusCode;
        var message = api.ApiError?.Message;
        if (string.IsNullOrWhiteSpace(message))
        {
            message = api.Message;
        }

        var errors = api.ApiError?.Errors?
            .Select(error => !string.IsNullOrWhiteSpace(error.Message)
                ? error.Message
                : string.Join(' ', new[] { error.Resource, error.Field, error.Code }.Where(part => !string.IsNullOrWhiteSpace(part))))
            .Where(part => !string.IsNullOrWhiteSpace(part))
            .ToArray() ?? [];
        var detail = status == 0 ? message : string.Create(CultureInfo.InvariantCulture, $"HTTP {status}: {message}");
        return errors.Length == 0 ? detail : $"{detail} ({string.Join("; ", errors)})";
    }

    private static TimeSpan RetryAfter(Octo.ApiException api, DateTimeOffset now) =>
        api.HttpResponse is { } response && ResilientGitHubHttpClient.TryGetRetryAfter(response, now, out var wait) ? wait : DefaultRetryAfter;

    [GeneratedRegex(@"protected branch|branch protection|required status|status check|approving review|reviews? (is|are) required|rule violation|repository rule|changes must be made through", RegexOptions.IgnoreCase)]
    private static partial Regex ProtectedBranch();

    [GeneratedRegex(@"head branch was modified|head sha|sha.*(does not match|mismatch)", RegexOptions.IgnoreCase)]
    private static partial Regex HeadModified();
}
