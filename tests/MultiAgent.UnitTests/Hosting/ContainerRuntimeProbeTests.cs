using Aspire.Hosting;
using Microsoft.Extensions.Configuration;
using MultiAgent.Hosting.Local;

namespace MultiAgent.UnitTests.Hosting;

public sealed class ContainerRuntimeProbeTests
{
    [Fact]
    public void With_no_runtime_chosen_and_no_podman_DCP_is_given_one_it_will_not_find_and_so_never_probes()
    {
        Assert.True(ContainerRuntimeProbe.NeedsNoProbe(Configuration(), podmanInstalled: false));
    }

    [Theory]
    [InlineData("ASPIRE_CONTAINER_RUNTIME")]
    [InlineData("DOTNET_ASPIRE_CONTAINER_RUNTIME")]
    [InlineData(ContainerRuntimeProbe.Setting)]
    public void A_runtime_the_user_chose_stays(string key)
    {
        Assert.False(ContainerRuntimeProbe.NeedsNoProbe(Configuration((key, "docker")), podmanInstalled: false));
    }

    [Fact]
    public void An_installed_podman_is_left_to_DCP()
    {
        Assert.False(ContainerRuntimeProbe.NeedsNoProbe(Configuration(), podmanInstalled: true));
    }

    [Fact]
    public void The_runtime_given_on_the_command_line_reaches_DCP_unchanged()
    {
        var builder = DistributedApplication.CreateBuilder(["--dcp-container-runtime", "docker"]).WithoutContainerRuntimeProbes();

        Assert.Equal("docker", builder.Configuration[ContainerRuntimeProbe.Setting]);
    }

    [Fact]
    public void Publish_mode_is_left_alone()
    {
        var output = Path.Combine(Path.GetTempPath(), "multiagent-unit-" + Guid.NewGuid().ToString("N"));
        var builder = DistributedApplication.CreateBuilder(["--publisher", "manifest", "--output-path", output]).WithoutContainerRuntimeProbes();

        Assert.Null(builder.Configuration[ContainerRuntimeProbe.Setting]);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
}
