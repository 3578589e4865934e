package evloop

// The pollers, for the models.
var (
	// Epoll is the epoll(7) poller.
	Epoll = newEpoll
	// Select is the select(2) poller.
	Select = newSelect
)
