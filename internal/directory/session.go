package directory

// Places returns the reference data of countries and regions the service
// names places from, for callers that show names (the web pages).
func (s *Service) Places() Places { return s.places }
