package main

import (
	"cmp"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageJSON is the part of a package.json we read.
type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	// Provider SDKs such as @pulumi/docker declare their resource plugin here:
	// "pulumi": {"resource": true, "name": "docker", "version": "5.2.0"}.
	Pulumi struct {
		Resource         bool   `json:"resource"`
		Name             string `json:"name"`
		Version          string `json:"version"`
		Server           string `json:"server"`
		Parameterization *struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			Value   []byte `json:"value"` // base64 in JSON
		} `json:"parameterization"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pkg packageJSON
	if err := json.Unmarshal(b, &pkg); err != nil {
		return nil, err
	}
	return &pkg, nil
}

// walkNodeModules calls visit for every package installed in the node_modules tree the
// program resolves from (the nearest node_modules at or above dir), including scoped packages
// and the nested node_modules npm uses for conflicting versions. It only opens package
// directories, never their sources. Unreadable package.json files are skipped: a broken
// package must not stop a deployment that may not even use it.
func walkNodeModules(dir string, visit func(pkg *packageJSON)) {
	base := findUp(dir, "node_modules")
	if base == "" {
		return
	}
	seen := map[string]bool{} // real paths, as symlinks (npm link, pnpm) can form cycles
	var walk func(nodeModules string)
	walk = func(nodeModules string) {
		entries, err := os.ReadDir(nodeModules)
		if err != nil {
			return
		}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, ".") { // .bin, .package-lock.json, .cache
				continue
			}
			if strings.HasPrefix(name, "@") { // a scope: its entries are the packages
				walk(filepath.Join(nodeModules, name))
				continue
			}
			pkgDir, err := filepath.EvalSymlinks(filepath.Join(nodeModules, name))
			if err != nil || seen[pkgDir] {
				continue
			}
			seen[pkgDir] = true
			if pkg, err := readPackageJSON(filepath.Join(pkgDir, "package.json")); err == nil {
				visit(pkg)
			}
			walk(filepath.Join(pkgDir, "node_modules"))
		}
	}
	walk(filepath.Join(base, "node_modules"))
}

// requiredPackages lists the resource plugins declared by installed provider SDKs, sorted and
// without duplicates, so that the engine can load (or report missing) plugins before running.
func requiredPackages(dir string) []*pulumirpc.PackageDependency {
	var deps []*pulumirpc.PackageDependency
	seen := map[string]bool{}
	walkNodeModules(dir, func(pkg *packageJSON) {
		if !pkg.Pulumi.Resource {
			return
		}
		dep := &pulumirpc.PackageDependency{
			Kind:    "resource",
			Name:    pluginName(pkg),
			Version: pluginVersion(pkg),
			Server:  pkg.Pulumi.Server,
		}
		key := dep.Name + "@" + dep.Version
		if p := pkg.Pulumi.Parameterization; p != nil {
			dep.Parameterization = &pulumirpc.PackageParameterization{
				Name: p.Name, Version: p.Version, Value: p.Value,
			}
			key += "/" + p.Name + "@" + p.Version
		}
		if !seen[key] {
			seen[key] = true
			deps = append(deps, dep)
		}
	})
	slices.SortFunc(deps, func(a, b *pulumirpc.PackageDependency) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
	})
	return deps
}

// pluginName is the declared plugin name, else the package name without its @pulumi/ scope.
func pluginName(pkg *packageJSON) string {
	if pkg.Pulumi.Name != "" {
		return pkg.Pulumi.Name
	}
	return strings.TrimPrefix(strings.TrimPrefix(pkg.Name, "@pulumi/"), "@")
}

// pluginVersion is the declared plugin version, else the package version, as "vX.Y.Z".
func pluginVersion(pkg *packageJSON) string {
	v := cmp.Or(pkg.Pulumi.Version, pkg.Version)
	if v == "" || strings.HasPrefix(v, "v") {
		return v
	}
	return "v" + v
}

func (h *langHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	p := programOf(req.GetInfo(), "", "")
	return &pulumirpc.GetRequiredPackagesResponse{Packages: requiredPackages(p.dir)}, nil
}

// GetRequiredPlugins is the older form of GetRequiredPackages, still used by some commands.
func (h *langHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	p := programOf(req.GetInfo(), req.GetPwd(), "")
	var plugins []*pulumirpc.PluginDependency
	for _, d := range requiredPackages(p.dir) {
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: d.Name, Kind: d.Kind, Version: d.Version, Server: d.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// GetProgramDependencies reports the program's npm dependencies (`pulumi about`, update
// metadata): the ones declared in its package.json with their installed versions, or with
// transitive dependencies requested, every package installed.
func (h *langHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	p := programOf(req.GetInfo(), req.GetPwd(), "")
	var deps []*pulumirpc.DependencyInfo
	if req.GetTransitiveDependencies() {
		seen := map[string]bool{}
		walkNodeModules(p.dir, func(pkg *packageJSON) {
			if key := pkg.Name + "@" + pkg.Version; pkg.Name != "" && !seen[key] {
				seen[key] = true
				deps = append(deps, &pulumirpc.DependencyInfo{Name: pkg.Name, Version: pkg.Version})
			}
		})
	} else {
		root := findUp(p.dir, "package.json")
		if root == "" {
			return &pulumirpc.GetProgramDependenciesResponse{}, nil
		}
		pkg, err := readPackageJSON(filepath.Join(root, "package.json"))
		if err != nil {
			return nil, err
		}
		for _, declared := range []map[string]string{pkg.Dependencies, pkg.DevDependencies} {
			for name, want := range declared {
				deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: installedVersion(root, name, want)})
			}
		}
	}
	slices.SortFunc(deps, func(a, b *pulumirpc.DependencyInfo) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
	})
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// installedVersion is the version of name node would load from dir, else the declared range.
func installedVersion(dir, name, declared string) string {
	rel := filepath.Join("node_modules", name, "package.json")
	if base := findUp(dir, rel); base != "" {
		if pkg, err := readPackageJSON(filepath.Join(base, rel)); err == nil && pkg.Version != "" {
			return pkg.Version
		}
	}
	return declared
}
