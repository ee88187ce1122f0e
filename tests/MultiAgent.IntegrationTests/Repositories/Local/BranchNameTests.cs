using MultiAgent.Repositories;
using MultiAgent.Repositories.Git;

namespace MultiAgent.IntegrationTests.Repositories.Local;

/// <summary>The branch-name check the CLI and the repository hosts use instead of running git, against git itself.</summary>
public sealed class BranchNameTests
{
    public static TheoryData<string> Names =>
    [
        "main", "feature/x", "agent/job-1a2b3c", "release-1.2", "a.b/c_d", "HEAD", "x@y", "ünïcode", "tab\there",
        "with space", "a..b", "a~1", "a^", "a:b", "a?", "a*", "a[", "a\\b", "a@{1}", "/a", "a/", "a//b",
        "a.", ".a", "a/.b", "a.lock", "a/b.lock/c", "del\x7f", "bell\x07", "",
    ];

    [Theory]
    [MemberData(nameof(Names))]
    public async Task A_name_is_refused_exactly_when_git_check_ref_format_refuses_it(string name)
    {
        var git = await new GitCli().RunAsync(
            Path.GetTempPath(), ["check-ref-format", "refs/heads/" + name], new GitRunOptions { ThrowOnFailure = false });

        Assert.True(
            git.Succeeded == (BranchName.WhyInvalid(name) is null),
            $"git {(git.Succeeded ? "takes" : "refuses")} '{name}', the check says: {BranchName.WhyInvalid(name) ?? "valid"}");
    }

    [Theory]
    [InlineData("-b", "it starts with '-'")]
    [InlineData("--upload-pack=touch /tmp/x", "it starts with '-'")]
    [InlineData("@", "it contains '..' or '@{', or is '@'")]
    [InlineData("\u00a0", "it is empty or blank")]
    [InlineData("next\u0085line", "it contains a space, a control character or one of ~ ^ : ? * [ \\")]
    public void Names_git_takes_under_refs_heads_but_that_pass_for_an_option_for_HEAD_or_for_nothing_are_refused(string name, string why)
    {
        Assert.Equal(why, BranchName.WhyInvalid(name));
    }
}
