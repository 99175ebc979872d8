import sys, statistics as st
fn=sys.argv[1]
L=open(fn).read().split('\n'); v=L[0]
w=[tuple(map(int,l.split())) for l in L[1:] if l.strip()][4:]
def med(ph, f): return st.median([f(x) for x in w if x[0]==ph and x[2]])
r=[];rr=[]
for i in range(len(w)-1):
    a,b=w[i],w[i+1]
    if a[0]!=b[0] and a[2] and b[2]:
        x,y=(a,b) if a[0]==0 else (b,a)
        r.append((y[1]/y[2])/(x[1]/x[2])); rr.append((y[3]/y[2])/(x[3]/x[2]))
print(f"{v}: pairs {len(r)} total ratio {st.median(r):.3f}, rx ratio {st.median(rr):.3f}; phase0 total {med(0,lambda x:x[1]/x[2]):.1f} rx {med(0,lambda x:x[3]/x[2]):.1f}; phase1 total {med(1,lambda x:x[1]/x[2]):.1f} rx {med(1,lambda x:x[3]/x[2]):.1f}")
