package directory

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// CreateFocusArea adds an entry to the vocabulary, after the existing ones.
// A slug in use is CodeConflict. It needs the admin role.
func (s *Service) CreateFocusArea(ctx context.Context, caller Caller, fa FocusArea) (FocusArea, error) {
	if err := caller.require(RoleAdmin); err != nil {
		return FocusArea{}, err
	}
	if err := checkFocusArea(&fa, true); err != nil {
		return FocusArea{}, err
	}
	entry := s.audit(caller, EntityFocusArea, fa.Slug, ActionCreate, diff(focusAreaFields(), nil, flattenFocusArea(fa)))
	if err := s.store.CreateFocusArea(ctx, fa, entry); err != nil {
		return FocusArea{}, fmt.Errorf("create focus area: %w", err)
	}
	return fa, nil
}

// UpdateFocusArea changes the group or labels of an entry; slugs are
// stable. It needs the admin role and returns CodeNotFound for an unknown slug.
func (s *Service) UpdateFocusArea(ctx context.Context, caller Caller, slug string, change func(*FocusArea) error) (FocusArea, error) {
	if err := caller.require(RoleAdmin); err != nil {
		return FocusArea{}, err
	}
	cur, err := s.focusArea(ctx, slug)
	if err != nil {
		return FocusArea{}, err
	}
	next := cur
	if err := change(&next); err != nil {
		return FocusArea{}, err
	}
	next.Slug = cur.Slug
	if err := checkFocusArea(&next, false); err != nil {
		return FocusArea{}, err
	}
	changes := diff(focusAreaFields(), flattenFocusArea(cur), flattenFocusArea(next))
	if len(changes) == 0 {
		return cur, nil
	}
	entry := s.audit(caller, EntityFocusArea, cur.Slug, ActionUpdate, changes)
	if err := s.store.UpdateFocusArea(ctx, next, entry); err != nil {
		return FocusArea{}, fmt.Errorf("update focus area %s: %w", slug, err)
	}
	return next, nil
}

// DeleteFocusArea removes an entry that no live or archived organization
// uses (CodeConflict otherwise). It needs the admin role.
func (s *Service) DeleteFocusArea(ctx context.Context, caller Caller, slug string) error {
	if err := caller.require(RoleAdmin); err != nil {
		return err
	}
	cur, err := s.focusArea(ctx, slug)
	if err != nil {
		return err
	}
	entry := s.audit(caller, EntityFocusArea, cur.Slug, ActionDelete, diff(focusAreaFields(), flattenFocusArea(cur), nil))
	if err := s.store.DeleteFocusArea(ctx, cur.Slug, entry); err != nil {
		return fmt.Errorf("delete focus area %s: %w", slug, err)
	}
	return nil
}

func (s *Service) focusArea(ctx context.Context, slug string) (FocusArea, error) {
	areas, err := s.store.FocusAreas(ctx)
	if err != nil {
		return FocusArea{}, fmt.Errorf("list focus areas: %w", err)
	}
	i := slices.IndexFunc(areas, func(a FocusArea) bool { return a.Slug == slug })
	if i < 0 {
		return FocusArea{}, Errorf(CodeNotFound, "no focus area %q", slug)
	}
	return areas[i], nil
}

// CheckFocusArea is CheckOrganization for a focus area, with its slug
// checked when withSlug (a create). It needs the admin role.
func (s *Service) CheckFocusArea(caller Caller, fa FocusArea, withSlug bool, found []FieldError) error {
	if err := caller.require(RoleAdmin); err != nil {
		return err
	}
	return withFound(found, checkFocusArea(&fa, withSlug), "invalid focus area")
}

func checkFocusArea(fa *FocusArea, withSlug bool) error {
	var fe fieldErrors
	fa.Slug, fa.LabelEN, fa.LabelRU = normalizeText(fa.Slug), normalizeText(fa.LabelEN), normalizeText(fa.LabelRU)
	if withSlug && (!slugPattern.MatchString(fa.Slug) || len(fa.Slug) > maxSlugLength) {
		fe.add("slug", "must be lower-case latin letters, digits and single hyphens, at most %d characters", maxSlugLength)
	}
	switch fa.Group {
	case GroupPillar, GroupActivity, GroupTheme:
	default:
		fe.add("group", "must be one of pillar, activity, theme")
	}
	for field, v := range map[string]string{"names.en": fa.LabelEN, "names.ru": fa.LabelRU} {
		checkRequired(&fe, field, v)
		checkText(&fe, field, v, maxShortText, false)
	}
	slices.SortFunc(fe, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return fe.err("invalid focus area")
}

func focusAreaFields() []string { return []string{"slug", "group", "names.en", "names.ru"} }

func flattenFocusArea(fa FocusArea) map[string]any {
	return map[string]any{"slug": fa.Slug, "group": string(fa.Group), "names.en": fa.LabelEN, "names.ru": fa.LabelRU}
}
