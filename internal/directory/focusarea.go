package directory

// DefaultFocusAreas returns the focus-area vocabulary a new directory starts
// with: the 4P paradigm of anti-trafficking work (prevention, protection,
// prosecution, partnership), the services members run, and the themes they
// specialise in. Slugs are stable identifiers that clients may hard-code.
func DefaultFocusAreas() []FocusArea {
	return []FocusArea{
		{Slug: "prevention", Group: GroupPillar, LabelEN: "Prevention", LabelRU: "Профилактика"},
		{Slug: "protection", Group: GroupPillar, LabelEN: "Protection", LabelRU: "Защита"},
		{Slug: "prosecution", Group: GroupPillar, LabelEN: "Prosecution", LabelRU: "Уголовное преследование"},
		{Slug: "partnership", Group: GroupPillar, LabelEN: "Partnership", LabelRU: "Партнёрство"},
		{Slug: "awareness-raising", Group: GroupActivity, LabelEN: "Awareness raising", LabelRU: "Информирование населения"},
		{Slug: "safe-migration", Group: GroupActivity, LabelEN: "Safe migration", LabelRU: "Безопасная миграция"},
		{Slug: "hotline", Group: GroupActivity, LabelEN: "Hotline", LabelRU: "Горячая линия"},
		{Slug: "identification-referral", Group: GroupActivity, LabelEN: "Identification and referral", LabelRU: "Выявление и перенаправление"},
		{Slug: "shelter", Group: GroupActivity, LabelEN: "Shelter", LabelRU: "Приют"},
		{Slug: "psychosocial-support", Group: GroupActivity, LabelEN: "Psychosocial support", LabelRU: "Психосоциальная поддержка"},
		{Slug: "medical-assistance", Group: GroupActivity, LabelEN: "Medical assistance", LabelRU: "Медицинская помощь"},
		{Slug: "repatriation", Group: GroupActivity, LabelEN: "Repatriation", LabelRU: "Репатриация"},
		{Slug: "reintegration", Group: GroupActivity, LabelEN: "Reintegration", LabelRU: "Реинтеграция"},
		{Slug: "legal-aid", Group: GroupActivity, LabelEN: "Legal aid", LabelRU: "Юридическая помощь"},
		{Slug: "training", Group: GroupActivity, LabelEN: "Training", LabelRU: "Обучение специалистов"},
		{Slug: "research", Group: GroupActivity, LabelEN: "Research", LabelRU: "Исследования"},
		{Slug: "advocacy", Group: GroupActivity, LabelEN: "Advocacy", LabelRU: "Адвокация"},
		{Slug: "child-protection", Group: GroupTheme, LabelEN: "Child protection", LabelRU: "Защита детей"},
		{Slug: "labour-exploitation", Group: GroupTheme, LabelEN: "Labour exploitation", LabelRU: "Трудовая эксплуатация"},
		{Slug: "sexual-exploitation", Group: GroupTheme, LabelEN: "Sexual exploitation", LabelRU: "Сексуальная эксплуатация"},
	}
}
