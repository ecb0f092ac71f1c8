"""Admin of the experts' selection and the winners."""
