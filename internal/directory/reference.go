package directory

import (
	"context"
	"fmt"
)

// Places returns the reference data of countries and regions the service
// names places from, for callers that show names (the web pages).
func (s *Service) Places() Places { return s.places }

// Vocabulary returns the focus areas in their display order, without the
// counts FocusAreas tallies: what a caller needs to name them.
func (s *Service) Vocabulary(ctx context.Context) ([]FocusArea, error) {
	areas, err := s.store.FocusAreas(ctx)
	if err != nil {
		return nil, fmt.Errorf("list focus areas: %w", err)
	}
	return areas, nil
}
