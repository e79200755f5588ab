package recommend

import (
	"context"
	"runtime"
	"sync"
)

// onEveryCore calls a worker for each of n rows, on as many goroutines as
// there are cores. newWorker is called once per goroutine, so a worker
// can keep buffers of its own. It stops handing out rows when ctx is done
// and returns ctx's error then.
func onEveryCore(ctx context.Context, n int, newWorker func() func(row int)) error {
	rows := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work := newWorker()
			for i := range rows {
				work(i)
			}
		}()
	}
	var err error
	for i := 0; i < n; i++ {
		if err = ctx.Err(); err != nil {
			break
		}
		rows <- i
	}
	close(rows)
	wg.Wait()
	return err
}
