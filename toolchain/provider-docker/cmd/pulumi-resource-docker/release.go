package main

import (
	"context"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// releaseType is the record of what a rolling service runs (components/release.ts): its inputs
// are the release serving now (`current`: image ID, environment, command, plain files); its
// state also keeps the release before it (`previous`), which `npm run rollback` deploys again.
// No Terraform resource keeps the value it replaced, so the record is served here, before the
// bridge; it touches nothing on the host.
const releaseType = "docker:appstacks/release:Release"

func isRelease(urn string) bool {
	return resource.URN(urn).Type() == releaseType
}

func (s startFirst) Check(ctx context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if !isRelease(req.GetUrn()) {
		return s.ResourceProviderServer.Check(ctx, req)
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// Diff: a new current release is an update of the record, never a replacement.
func (s startFirst) Diff(ctx context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if !isRelease(req.GetUrn()) {
		return s.diffContainer(ctx, req)
	}
	var changed []string
	for _, k := range []string{"app", "service", "current"} {
		if !proto.Equal(req.GetOlds().GetFields()[k], req.GetNews().GetFields()[k]) {
			changed = append(changed, k)
		}
	}
	if _, ok := req.GetOlds().GetFields()["rollbackImage"]; !ok {
		// A record kept before rollbackImage existed: an update adds it, the history stays.
		changed = append(changed, "rollbackImage")
	}
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed}, nil
}

func (s startFirst) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	if !isRelease(req.GetUrn()) {
		return s.ResourceProviderServer.Create(ctx, req)
	}
	news := req.GetProperties().GetFields()
	id := news["app"].GetStringValue() + "/" + news["service"].GetStringValue()
	return &pulumirpc.CreateResponse{Id: id, Properties: releaseState(news, nil, nil)}, nil
}

// Update: the release that was current becomes the previous one.
func (s startFirst) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	if !isRelease(req.GetUrn()) {
		return s.ResourceProviderServer.Update(ctx, req)
	}
	olds := req.GetOlds().GetFields()
	news := req.GetNews().GetFields()
	if proto.Equal(olds["current"], news["current"]) {
		// Only app or service changed, or the state is older: the history stays.
		return &pulumirpc.UpdateResponse{Properties: releaseState(news, &release{olds["previous"], olds["previousSince"]}, olds["currentSince"])}, nil
	}
	return &pulumirpc.UpdateResponse{Properties: releaseState(news, &release{olds["current"], olds["currentSince"]}, nil)}, nil
}

// Read: the record lives only in the state; refresh keeps it as it is.
func (s startFirst) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if !isRelease(req.GetUrn()) {
		return s.ResourceProviderServer.Read(ctx, req)
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (s startFirst) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	if !isRelease(req.GetUrn()) {
		return s.ResourceProviderServer.Delete(ctx, req)
	}
	return &emptypb.Empty{}, nil
}

type release struct {
	record, since *structpb.Value
}

// releaseState: the inputs, when the current release began (since, else now), and the previous
// release if any.
func releaseState(news map[string]*structpb.Value, previous *release, since *structpb.Value) *structpb.Struct {
	out := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for k, v := range news {
		out.Fields[k] = v
	}
	if since == nil {
		since = structpb.NewStringValue(time.Now().UTC().Format(time.RFC3339))
	}
	out.Fields["currentSince"] = since
	if previous != nil && previous.record != nil && previous.record.GetKind() != nil {
		if _, null := previous.record.GetKind().(*structpb.Value_NullValue); !null {
			out.Fields["previous"] = previous.record
			if previous.since != nil {
				out.Fields["previousSince"] = previous.since
			}
		}
	}
	out.Fields["rollbackImage"] = rollbackImage(out.Fields)
	return out
}

// rollbackImage: the image a rollback needs kept, the previous release's, else the current one's.
// Always set, so a preview of an unchanged record knows it (an output missing from the state is
// unknown in a preview, which would plan the image's tag replaced on every run).
func rollbackImage(fields map[string]*structpb.Value) *structpb.Value {
	release := fields["previous"]
	if release == nil {
		release = fields["current"]
	}
	if image := release.GetStructValue().GetFields()["image"]; image != nil {
		return image
	}
	// An unknown current release (a preview of a rebuilt image): its image is unknown too.
	return release
}
